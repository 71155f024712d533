"""Signal receivers the app connects in ``AppConfig.ready()``."""


def connect_all() -> None:
    pass
