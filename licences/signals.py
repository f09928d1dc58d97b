"""Domain signals of licences, for the higher apps (applications tells the holder; DESIGN.md).

- `licence_ready` (licence): the signed PDF is stored; sent after commit.
- `licence_expiring` (licence): the Art. 50 reminder is due; sent by the sweep inside its transaction.
- `licence_changed` (licence, change): "delivered", "revoke", "cancel" or "deemed_renewed"; after commit.
"""

from django.dispatch import Signal

licence_ready = Signal()
licence_expiring = Signal()
licence_changed = Signal()
