"""The delivery engine: sends each registration's outbox rows (intake/models/outbox.py)
to the CRM and by e-mail, and keeps trying until they are delivered.

- `payload`: what a CRM adapter receives;
- `worker`: claim a delivery, send it, record the outcome, back off, sweep;
- `mail`: the e-mails to the advisers and the confirmation;
- `pacing`: the gate in front of a CRM (rate, concurrency, Retry-After, breaker);
- `locks`: one person created once, across worker processes;
- `adapters`: one module per CRM backend, the contract and its errors in `base`.

The tasks that run the worker, and the queueing of deliveries, are in
intake/tasks.py (their paths are stored in the task table). Nothing here
imports intake.services: the services build on the outbox, not the reverse.
"""
