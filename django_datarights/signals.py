"""Signals sent by the app's flows, whether a change came from a view, the admin, a task or a
management command. Connect receivers in your ``AppConfig.ready()``.

Every signal is sent with ``sender`` set to the model class of the object concerned.
"""

from django.dispatch import Signal

#: A user's consent choice changed. Arguments: ``user``, ``purpose``, ``given`` (bool),
#: ``version`` (int), ``channel`` (str), ``record`` (the new ``ConsentRecord``).
consent_changed = Signal()

#: An export request was created. Arguments: ``export`` (``ExportRequest``), ``operator``
#: (the staff user who started it, or ``None``).
export_requested = Signal()

#: An archive finished building and can be downloaded. Arguments: ``export``.
export_ready = Signal()

#: An export failed for good. Arguments: ``export``, ``reason`` (operator text).
export_failed = Signal()

#: An archive was downloaded. Arguments: ``export``, ``request`` (the ``HttpRequest``).
export_downloaded = Signal()

#: A deletion was requested. Arguments: ``deletion`` (``DeletionRequest``), ``operator``.
deletion_requested = Signal()

#: A deletion was cancelled during its grace period. Arguments: ``deletion``, ``by_operator``.
deletion_cancelled = Signal()

#: An account is about to be erased; receivers may clean up data the registry does not know
#: about. Arguments: ``deletion``, ``user``.
pre_erasure = Signal()

#: An erasure finished. Arguments: ``deletion``, ``counts`` (dict of dataset to counts).
#: The user no longer exists when this is sent.
erasure_completed = Signal()

#: A retention run finished. Arguments: ``policy``, ``run``.
retention_run_finished = Signal()
