"""Signal receivers the app connects in ``AppConfig.ready()``."""


def connect_all() -> None:
    from .retention import sync

    sync.connect()
