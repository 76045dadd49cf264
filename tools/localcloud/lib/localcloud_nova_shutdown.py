"""Nova's services stop without a traceback from their periodic timer.

On SIGTERM a Nova service marks its manager "shutting down" first, then
stops its RPC servers and its manager, and stops its timers last, up to
``graceful_shutdown_timeout`` (5 s here) later. Meanwhile
``nova.manager.Manager.periodic_tasks`` returns None ("Skipping periodic
tasks during graceful shutdown") to the dynamic timer that
``nova.service.Service.start`` made for it without a
``periodic_interval_max``, and oslo.service takes None for "no interval":
``RuntimeError: A dynamic interval looping call should supply either an
interval or periodic_interval_max``, logged with its traceback. The
scheduler's timer comes due every 30 s (host discovery) and its shutdown
took from under a second to the whole 5 s: a stop logged it now and then
(up to one stop in six).

Here ``periodic_tasks`` returns oslo.service's longest idle time (60 s)
instead of None while the manager shuts down: the timer sleeps until the
service stops it. The patch is applied when ``nova.manager`` is imported
(:func:`install` puts a finder on ``sys.meta_path``), so processes that
never import Nova pay nothing.
"""
import importlib.abc
import importlib.machinery
import sys

MODULE = 'nova.manager'


def patch(module):
    from oslo_service import periodic_task

    skipping = module.Manager.periodic_tasks

    def periodic_tasks(self, context, raise_on_error=False):
        idle = skipping(self, context, raise_on_error=raise_on_error)
        return periodic_task.DEFAULT_INTERVAL if idle is None else idle

    periodic_tasks.__doc__ = skipping.__doc__
    module.Manager.periodic_tasks = periodic_tasks


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``nova.manager`` as usual; patches it once it is executed."""

    def find_spec(self, name, path, target=None):
        if name != MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def install():
    if MODULE in sys.modules:
        patch(sys.modules[MODULE])
    elif not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
