"""Domain signals of intake. Higher apps (approvals) connect to them in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent once an application is accepted (by a clerk or deemed), after the transaction commits;
# kwargs: application (applications.models.Application).
application_accepted = Signal()
