"""Signing in and out: lockout on the page and the API, new sessions, disabled users, password change."""

from django.conf import settings
from django.core import mail
from django.urls import reverse
from rest_framework.authtoken.models import Token

from portal.models import AuditEvent
from portal.services.accounts import user_set_active, user_set_password
from tests.conftest import PASSWORD


def _login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_lands_on_the_role_workspace_with_a_new_session(client, people):
    client.get(reverse("login"))
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    response = _login(client, "clerk")
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/workspace/clerk/"
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before is None or before.value != after
    assert AuditEvent.objects.filter(action="auth.login", actor=people["clerk"]).exists()


def test_wrong_password_is_an_error_on_the_form_and_audited(client, people):
    response = _login(client, "clerk", "wrong-password")
    assert response.status_code == 200
    assert "username" in response.context["form"].errors or response.context["form"].non_field_errors()
    assert AuditEvent.objects.filter(action="auth.login_failed", result="failure").exists()


def test_page_login_locks_out_after_the_failure_limit(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "clerk", "wrong-password")
    response = _login(client, "clerk")  # even the right password, while locked out
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_api_token_endpoint_locks_out_too(client, people):
    url = reverse("api-token")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"username": "clerk", "password": "wrong"}).status_code == 400
    assert client.post(url, {"username": "clerk", "password": "wrong"}).status_code == 429  # the limit locks
    response = client.post(url, {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 429
    assert "detail" in response.json()


def test_a_token_opens_the_api(client, people):
    token = client.post(reverse("api-token"), {"username": "clerk", "password": PASSWORD}).json()["token"]
    response = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {token}")
    assert response.json()["username"] == "clerk"


def test_token_request_needs_both_fields(client, db):
    response = client.post(reverse("api-token"), {"username": "clerk"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_disabling_a_user_ends_their_session_and_token(client, people):
    clerk = people["clerk"]
    client.force_login(clerk)
    token = Token.objects.create(user=clerk)
    assert client.get(reverse("workspace_page", args=["clerk"])).status_code == 200
    user_set_active(actor=people["sysadmin"], user=clerk, active=False)
    assert client.get(reverse("workspace_page", args=["clerk"])).status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
    assert AuditEvent.objects.filter(action="user.disable").exists()


def test_password_change_keeps_this_session_ends_others_and_tells_the_user(client, people,
                                                                            django_capture_on_commit_callbacks):
    from django.test import Client

    other = Client()
    other.force_login(people["applicant_a"])
    client.force_login(people["applicant_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_change"), {
            "old_password": PASSWORD, "new_password1": "Another-Horse-77", "new_password2": "Another-Horse-77"})
    assert response.status_code == 302
    assert client.get(reverse("inbox")).status_code == 200
    assert other.get(reverse("inbox")).status_code == 302
    assert len(mail.outbox) == 1 and "密码" in mail.outbox[0].subject


def test_password_change_rejects_a_weak_password_and_changes_nothing(client, people):
    client.force_login(people["applicant_a"])
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    people["applicant_a"].refresh_from_db()
    assert people["applicant_a"].check_password(PASSWORD)


def test_sessions_expire_after_idle_time():
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_user_set_password_validates(people):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        user_set_password(actor=people["sysadmin"], user=people["clerk"], password="short")


def test_logout_is_post_only_and_audited(client, people):
    client.force_login(people["clerk"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").exists()
