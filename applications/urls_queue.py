"""The hall queue and appointment pages (included at the site root)."""

from django.urls import path

from applications import views_queue as views

urlpatterns = [
    path("hall/display/", views.display, name="queue_display"),
    path("hall/display/board/", views.display_board, name="queue_display_board"),
    path("hall/kiosk/", views.kiosk, name="queue_kiosk"),
    path("hall/check-in/", views.check_in, name="queue_check_in"),
    path("hall/tickets/<str:key>/", views.ticket_page, name="queue_ticket"),
    path("hall/tickets/<str:key>/status/", views.ticket_status, name="queue_ticket_status"),
    path("hall/tickets/<str:key>/cancel/", views.ticket_cancel_view, name="queue_ticket_cancel"),
    path("hall/desk/", views.desk, name="queue_desk"),
    path("hall/desk/panel/", views.desk_panel, name="queue_desk_panel"),
    path("hall/desk/open/", views.desk_open, name="queue_window_open"),
    path("hall/desk/close/", views.desk_close, name="queue_window_close"),
    path("hall/desk/call-next/", views.desk_call_next, name="queue_call_next"),
    path("hall/desk/tickets/<int:pk>/<slug:action>/", views.desk_ticket_action, name="queue_ticket_action"),
    path("hall/appointments/", views.my_appointments, name="appointments_mine"),
    path("hall/appointments/new/", views.appointment_new, name="appointment_new"),
    path("hall/appointments/new/<int:slot_pk>/", views.appointment_confirm, name="appointment_confirm"),
    path("hall/appointments/<int:pk>/cancel/", views.appointment_cancel_view, name="appointment_cancel"),
    path("hall/appointments/today/", views.appointments_today, name="appointments_today"),
]
