"""WSGI entry point for the local cloud's API services under gunicorn.

Each service's WSGI module parses ``sys.argv`` with oslo.config when it is
imported; under gunicorn ``sys.argv`` holds gunicorn's own options
(``--bind`` ...), which the services reject.  Reset it, point the service
at its configuration directory, then import the real application.

Environment: LOCALCLOUD_WSGI_SERVICE (keystone, glance, placement, cinder,
nova, neutron, neutron-stand-in) and LOCALCLOUD_WSGI_CONFIG_DIR.
"""
import importlib
import os
import sys

_SERVICE = os.environ['LOCALCLOUD_WSGI_SERVICE']
_CONF_DIR = os.environ['LOCALCLOUD_WSGI_CONFIG_DIR']

_TABLE = {
    # service: (module, program name, extra argv, environment)
    'keystone': ('keystone.wsgi.api', 'keystone-wsgi-public', [],
                 {'OS_KEYSTONE_CONFIG_FILES':
                  os.path.join(_CONF_DIR, 'keystone.conf')}),
    'glance': ('glance.wsgi.api', 'glance-wsgi-api', [],
               {'OS_GLANCE_CONFIG_DIR': _CONF_DIR}),
    'placement': ('placement.wsgi.api', 'placement-api', [],
                  {'OS_PLACEMENT_CONFIG_DIR': _CONF_DIR}),
    'cinder': ('cinder.wsgi.api', 'cinder-wsgi',
               ['--config-file', os.path.join(_CONF_DIR, 'cinder.conf')], {}),
    'nova': ('nova.wsgi.osapi_compute', 'nova-api-os-compute', [],
             {'OS_NOVA_CONFIG_DIR': _CONF_DIR}),
    'neutron': ('neutron.wsgi.api', 'neutron-api', [],
                {'OS_NEUTRON_CONFIG_DIR': _CONF_DIR,
                 'OS_NEUTRON_CONFIG_FILES': 'neutron.conf'}),
    'neutron-stand-in': ('localcloud_neutron', 'localcloud-neutron', [], {}),
}

_module, _prog, _argv, _env = _TABLE[_SERVICE]
os.environ.update(_env)
sys.argv = [_prog] + _argv
application = importlib.import_module(_module).application
