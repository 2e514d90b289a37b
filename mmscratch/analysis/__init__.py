from .logs import RunLog, read_run

__all__ = ['RunLog', 'read_run']
