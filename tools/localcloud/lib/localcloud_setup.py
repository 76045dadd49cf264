"""Bootstrap and readiness checks for the local cloud.

Run with the local cloud's own virtualenv python by tools/localcloud/localcloud
(never imported by the services).  Sub-commands:

  identity          service users, roles, projects, catalog (Keystone only)
  resources         flavors, base image, quotas (Nova, Glance, Cinder up)
  network           Neutron: the external network, the default subnet pool,
                    each project's network, subnet and router, and its
                    default security group
  ready SINCE MODE [BACKUP]
                    exit 0 once compute and volume services report
                    heartbeats newer than SINCE (epoch seconds), the volume
                    backend pool is known, the compute node has a
                    resource provider and (MODE real) Neutron lists the
                    external network; prints what is missing otherwise
                    (BACKUP no-backup: cinder-backup is not waited for)
  status MODE [BACKUP]
                    one line per service check
  appcred PATH      the application credential of clouds.yaml entry
                    local-alpha-appcred: reused when PATH holds one Keystone
                    still accepts, else made again; written to PATH
"""
import concurrent.futures
import datetime
import json
import os
import subprocess
import sys
import tempfile

import openstack

REGION = os.environ.get('LOCALCLOUD_REGION', 'RegionOne')
SERVICE_USERS = ('glance', 'cinder', 'nova', 'placement', 'neutron')
FLAVORS = [
    # name, id, vcpus, ram MiB, disk GiB
    ('m1.tiny', '1', 1, 512, 1),
    ('m1.small', '2', 1, 2048, 20),
    ('m1.medium', '3', 2, 4096, 40),
    ('m1.large', '4', 4, 8192, 80),
    ('m1.xlarge', '5', 8, 16384, 160),
    ('m1.volume', '6', 1, 1024, 0),
]
COMPUTE_QUOTAS = dict(instances=50, cores=400, ram=1000000,
                      key_pairs=100, server_groups=50,
                      server_group_members=50, metadata_items=256)
VOLUME_QUOTAS = dict(volumes=100, snapshots=100, gigabytes=5000,
                     backups=100, backup_gigabytes=5000, groups=50,
                     per_volume_gigabytes=-1)
IMAGE_NAME = 'base-image'
PHYSNET = 'localnet'            # flat_networks / network_vlan_ranges
PUBLIC = 'public'
PUBLIC_CIDR = '203.0.113.0/24'  # documentation range: never routed
POOL = 'shared-default-subnetpool-v4'
POOL_PREFIX = '10.128.0.0/16'
PROJECT_NETWORK = 'private'     # the same name in alpha and beta
IMAGE_SIZE = 4 * 1024 * 1024


def _env(name):
    return os.environ[name]


def _conn(cloud='local-admin'):
    return openstack.connect(cloud=cloud)


def _ports():
    return {k: int(_env('LOCALCLOUD_%s_PORT' % k.upper()))
            for k in ('keystone', 'glance', 'cinder', 'nova', 'placement',
                      'neutron')}


def _find_or_create(find, create, name, **attrs):
    found = find(name, ignore_missing=True, **{
        k: v for k, v in attrs.items() if k in ('domain_id',)})
    return found or create(name=name, **attrs)


def identity():
    conn = _conn()
    idn = conn.identity
    password = _env('LOCALCLOUD_PASSWORD')
    domain = idn.find_domain('default') or idn.find_domain('Default')
    did = domain.id
    roles = {}
    for r in ('admin', 'member', 'reader', 'service'):
        roles[r] = idn.find_role(r) or idn.create_role(name=r)

    def project(name, desc):
        return (idn.find_project(name, domain_id=did) or
                idn.create_project(name=name, domain_id=did,
                                   description=desc))

    def user(name, proj):
        u = idn.find_user(name, domain_id=did)
        if u is None:
            u = idn.create_user(name=name, domain_id=did, password=password,
                                default_project_id=proj.id)
        return u

    service = project('service', 'Service users of the local cloud')
    for name in SERVICE_USERS:
        u = user(name, service)
        for r in ('admin', 'service'):
            idn.assign_project_role_to_user(service, u, roles[r])
    for name in ('alpha', 'beta'):
        p = project(name, 'Ordinary project %s' % name)
        u = user(name, p)
        for r in ('member', 'reader'):
            idn.assign_project_role_to_user(p, u, roles[r])

    ports = _ports()
    catalog = [
        # type, name, url
        ('image', 'glance', 'http://127.0.0.1:%d' % ports['glance']),
        ('volumev3', 'cinderv3', 'http://127.0.0.1:%d/v3' % ports['cinder']),
        ('compute', 'nova', 'http://127.0.0.1:%d/v2.1' % ports['nova']),
        ('placement', 'placement',
         'http://127.0.0.1:%d' % ports['placement']),
        ('network', 'neutron', 'http://127.0.0.1:%d' % ports['neutron']),
    ]
    existing = {s.type: s for s in idn.services()}
    for stype, name, url in catalog:
        svc = existing.get(stype) or idn.create_service(
            type=stype, name=name, is_enabled=True)
        have = {e.interface for e in idn.endpoints(service_id=svc.id)}
        for iface in ('public', 'internal', 'admin'):
            if iface not in have:
                idn.create_endpoint(service_id=svc.id, interface=iface,
                                    url=url, region_id=REGION)
    print('identity: users, projects, roles and catalog in place')


#: The known files of the base image's filesystem (path, bytes).
IMAGE_FILES = (
    ('etc/hostname', b'base-image\n'),
    ('etc/os-release', b'PRETTY_NAME="localcloud base image"\nID=ubuntu\n'
                       b'VERSION_ID="24.04"\n'),
    ('home/ubuntu/notes.txt', b'LOCALCLOUD-BASE-IMAGE\n' * 64),
)


def _image_bytes():
    """A GPT disk with one ext4 partition holding :data:`IMAGE_FILES`,
    made without root by ``tools/diskimage.py`` (mke2fs -d, sgdisk)."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, 'tree')
        for path, data in IMAGE_FILES:
            full = os.path.join(tree, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'wb') as f:
                f.write(data)
        out = os.path.join(tmp, 'disk.raw')
        subprocess.run([sys.executable, os.path.join(
            top, 'tools', 'diskimage.py'), out, '--tree', tree, '--size',
            str(IMAGE_SIZE // (1024 * 1024))], check=True)
        with open(out, 'rb') as f:
            return f.read()


def resources():
    conn = _conn()
    have = {f.name for f in conn.compute.flavors(is_public=None)}
    for name, fid, vcpus, ram, disk in FLAVORS:
        if name not in have:
            conn.compute.create_flavor(name=name, id=fid, vcpus=vcpus,
                                       ram=ram, disk=disk, is_public=True)
    if not list(conn.image.images(name=IMAGE_NAME)):
        conn.image.create_image(
            name=IMAGE_NAME, data=_image_bytes(), disk_format='raw',
            container_format='bare', visibility='public', min_disk=1,
            min_ram=0, os_distro='ubuntu', os_version='24.04',
            os_type='linux', hw_architecture='x86_64',
            validate_checksum=False, allow_duplicates=False)
    for name in ('alpha', 'beta'):
        p = conn.identity.find_project(name)
        conn.set_compute_quotas(p.id, **COMPUTE_QUOTAS)
        conn.set_volume_quotas(p.id, **VOLUME_QUOTAS)
    print('resources: flavors, %s and quotas in place' % IMAGE_NAME)


def _one(items):
    items = list(items)
    return items[0] if items else None


def network():
    """Neutron's bootstrap, idempotent: what a project needs to launch
    servers onto its own network, and what Nova's ``auto`` allocation
    (auto-allocated-topology) needs."""
    admin = _conn()
    net = admin.network
    public = _one(net.networks(name=PUBLIC, is_router_external=True))
    if public is None:
        public = net.create_network(
            name=PUBLIC, is_router_external=True, is_default=True,
            is_shared=False, provider_network_type='flat',
            provider_physical_network=PHYSNET,
            description='External network (nothing forwards packets)')
    if _one(net.subnets(network_id=public.id)) is None:
        net.create_subnet(
            name=PUBLIC + '-subnet', network_id=public.id, ip_version=4,
            cidr=PUBLIC_CIDR, gateway_ip=PUBLIC_CIDR.replace('0/24', '1'),
            is_dhcp_enabled=False)
    if _one(net.subnet_pools(name=POOL)) is None:
        net.create_subnet_pool(
            name=POOL, prefixes=[POOL_PREFIX], default_prefix_length=24,
            is_shared=True, is_default=True,
            description='Default subnet pool (auto-allocated-topology)')

    def project_network(name):
        conn = _conn('local-' + name)
        pnet = conn.network
        project = conn.current_project_id
        private = _one(pnet.networks(name=PROJECT_NETWORK,
                                     project_id=project))
        if private is None:
            private = pnet.create_network(name=PROJECT_NETWORK)
        subnet = _one(pnet.subnets(network_id=private.id))
        if subnet is None:
            subnet = pnet.create_subnet(
                name=PROJECT_NETWORK + '-subnet', network_id=private.id,
                ip_version=4, use_default_subnet_pool=True)
        router = _one(pnet.routers(name='router', project_id=project))
        if router is None:
            router = pnet.create_router(
                name='router', external_gateway_info={
                    'network_id': public.id})
            pnet.add_interface_to_router(router, subnet_id=subnet.id)
        # Neutron makes a project's "default" group when the project first
        # asks for its groups.
        if _one(pnet.security_groups(name='default',
                                     project_id=project)) is None:
            raise RuntimeError('project %s has no default security group'
                               % name)

    # Both projects at once: each mostly waits for Neutron.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(project_network, n)
                     for n in ('alpha', 'beta')]:
            done.result()
    dry = admin.network.get(
        '/auto-allocated-topology/%s?fields=dry-run'
        % admin.current_project_id)
    if dry.status_code != 200:
        raise RuntimeError('auto-allocated-topology dry run: %s %s'
                           % (dry.status_code, dry.text))
    print('network: %s (%s), %s, project networks %s with subnets and '
          'routers, default security groups; auto-allocated-topology dry '
          'run passes' % (PUBLIC, PUBLIC_CIDR, POOL, PROJECT_NETWORK))


#: The application credential of the alpha user in project alpha, with the
#: member role only (Keystone's default is every role of the user).
APPCRED_NAME = 'localcloud-alpha-appcred'
APPCRED_ROLES = ('member',)


def _appcred_works(saved):
    """True if Keystone issues a token for the saved credential."""
    try:
        conn = openstack.connect(
            auth_type='v3applicationcredential', auth={
                'auth_url': 'http://127.0.0.1:%d/v3' % _ports()['keystone'],
                'application_credential_id': saved['id'],
                'application_credential_secret': saved['secret']},
            region_name=REGION)
        conn.authorize()
        return True
    except openstack.exceptions.SDKException:
        return False


def appcred(path):
    """Reuse the credential saved in ``path`` if Keystone accepts it;
    otherwise delete any of that name (its secret is lost) and make a new
    one. Keystone keeps them in its database: a reset makes a new one."""
    try:
        with open(path) as f:
            saved = json.load(f)
    except (OSError, ValueError):
        saved = None
    if saved and _appcred_works(saved):
        print('application credential %s reused' % saved['id'])
        return
    conn = _conn('local-alpha')
    user_id = conn.current_user_id
    old = conn.identity.find_application_credential(user_id, APPCRED_NAME)
    if old is not None:
        conn.identity.delete_application_credential(user_id, old)
    made = conn.identity.create_application_credential(
        user_id, APPCRED_NAME,
        description='clouds.yaml entry local-alpha-appcred of the local '
                    'cloud',
        roles=[{'name': r} for r in APPCRED_ROLES])
    tmp = path + '.tmp'
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        json.dump({'id': made.id, 'secret': made.secret,
                   'name': APPCRED_NAME}, f)
    os.replace(tmp, path)
    print('application credential %s created' % made.id)


def _utc(ts):
    if not ts:
        return 0.0
    ts = ts.replace('Z', '')
    if '+' in ts[10:]:
        ts = ts[:10] + ts[10:].split('+')[0]
    dt = datetime.datetime.fromisoformat(ts)
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp()


def checks(since, mode='real', backup='backup'):
    """Return a list of (name, ok, detail); ``backup``: ``no-backup`` when
    cinder-backup is not to run (LOCALCLOUD_BACKUP=0)."""
    conn = _conn()
    out = []
    if mode == 'real':
        try:
            public = _one(conn.network.networks(name=PUBLIC,
                                                is_router_external=True))
            out.append(('neutron', bool(public), 'external network %s %s'
                        % (PUBLIC, public.status) if public
                        else 'no external network %s yet' % PUBLIC))
        except Exception as e:  # noqa
            out.append(('neutron', False, str(e)[:200]))
    else:
        out.append(('neutron', True, 'stand-in (LOCALCLOUD_NEUTRON=%s)'
                    % mode))
    try:
        svcs = list(conn.compute.services())
        for binary in ('nova-conductor', 'nova-scheduler', 'nova-compute'):
            s = [x for x in svcs if x.binary == binary]
            ok = bool(s) and all(
                x.state == 'up' and _utc(x.updated_at) >= since for x in s)
            out.append((binary, ok, ', '.join(
                '%s %s %s' % (x.host, x.state, x.updated_at) for x in s)
                or 'not registered'))
    except Exception as e:  # noqa
        out.append(('compute services', False, str(e)[:200]))
    try:
        resp = conn.block_storage.get('/os-services')
        svcs = resp.json().get('services', [])
        for binary in ('cinder-scheduler', 'cinder-volume', 'cinder-backup'):
            s = [x for x in svcs if x['binary'] == binary]
            if binary == 'cinder-backup' and backup == 'no-backup':
                out.append((binary, True, 'not run (LOCALCLOUD_BACKUP=0)%s'
                            % ''.join('; %s %s' % (x['host'], x['state'])
                                      for x in s)))
                continue
            ok = bool(s) and all(
                x['state'] == 'up' and _utc(x['updated_at']) >= since
                for x in s)
            out.append((binary, ok, ', '.join(
                '%s %s %s' % (x['host'], x['state'], x['updated_at'])
                for x in s) or 'not registered'))
        pools = conn.block_storage.get(
            '/scheduler-stats/get_pools').json().get('pools', [])
        out.append(('volume backend pool', bool(pools),
                    ', '.join(p['name'] for p in pools) or 'none yet'))
    except Exception as e:  # noqa
        out.append(('volume services', False, str(e)[:200]))
    try:
        rps = conn.placement.get(
            '/resource_providers').json().get('resource_providers', [])
        out.append(('resource provider', bool(rps),
                    ', '.join(r['name'] for r in rps) or 'none yet'))
    except Exception as e:  # noqa
        out.append(('placement', False, str(e)[:200]))
    return out


def ready(since, mode, backup='backup'):
    res = checks(since, mode, backup)
    missing = [r for r in res if not r[1]]
    for name, ok, detail in missing:
        print('waiting for %s: %s' % (name, detail))
    return 0 if not missing else 1


def status(mode, backup='backup'):
    for name, ok, detail in checks(0, mode, backup):
        print('%-20s %-4s %s' % (name, 'ok' if ok else 'DOWN', detail))


def main(argv):
    cmd = argv[1]
    if cmd == 'identity':
        identity()
    elif cmd == 'resources':
        resources()
    elif cmd == 'network':
        network()
    elif cmd == 'ready':
        return ready(float(argv[2]), *argv[3:5])
    elif cmd == 'status':
        status(*argv[2:4])
    elif cmd == 'appcred':
        appcred(argv[2])
    else:
        print('unknown command %s' % cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
