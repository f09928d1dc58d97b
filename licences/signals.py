"""Domain signals of licences, for the higher apps (applications tells the holder; DESIGN.md).

- `licence_ready` (licence): the signed PDF is stored; sent after commit.
- `licence_expiring` (licence): the Art. 50 reminder is due; sent by the sweep inside its transaction, so what the
  receivers write commits with the reminder (or neither, and the next sweep tries again). Not sent for a licence
  whose renewal is filed already.
- `licence_changed` (licence, change), after commit:
  "delivered" — the paper licence was collected at the window or posted (a download needs no record: the
    licence counts as delivered when it is ready, see Licence.delivered_at);
  "revoke" / "cancel" — ended by the department, with reasons;
  "replaced" — a renewal's new licence took its place (`licence.replaced_by`);
  "deemed_renewed" — Art. 50 ¶2: valid for another period (`licence.valid_to`).
"""

from django.dispatch import Signal

licence_ready = Signal()
licence_expiring = Signal()
licence_changed = Signal()
