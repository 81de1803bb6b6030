import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SETTINGS } from '../../src/config/settings.js';

// The files in deploy/ are not run by the tests (no Docker, no systemd here; .ci/docker-steps runs
// the Dockerfile's steps). These checks keep them in step with the code they describe.

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Step {
  kind: string;
  command?: string | string[];
  values?: string[];
  from?: string;
  sources?: string[];
  why?: string;
}
interface Stage {
  name: string;
  base: string;
  steps: Step[];
}

function dockerfileStages(): Stage[] {
  const json = execFileSync(
    process.execPath,
    ['scripts/dockerfile-steps.mjs', 'deploy/docker/Dockerfile', '--json'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return JSON.parse(json) as Stage[];
}

const settingDefault = (key: string) => SETTINGS.find((s) => s.key === key)?.default;

test('.ci/docker-steps runs every RUN of the Dockerfile; only the runtime stage skips one, with a reason', () => {
  const stages = dockerfileStages();
  const runs = stages.flatMap((s) => s.steps.filter((step) => step.kind === 'run' || step.kind === 'skip'));
  const runLines = read('deploy/docker/Dockerfile').match(/^RUN\b/gm) ?? [];
  assert.equal(runs.length, runLines.length, 'every RUN line is read');
  const [build, runtime] = stages;
  assert.equal(stages.length, 2);
  assert.ok(build && runtime);
  assert.deepEqual(
    build.steps.filter((s) => s.kind === 'skip'),
    [],
    'the build stage is run in full',
  );
  for (const skip of runtime.steps.filter((s) => s.kind === 'skip')) {
    assert.match(String(skip.command), /^groupadd .*useradd /, 'only making the user is skipped');
    assert.ok(skip.why);
  }
  const shell = execFileSync(
    process.execPath,
    ['scripts/dockerfile-steps.mjs', 'deploy/docker/Dockerfile', '--shell'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  for (const run of runs.filter((s) => s.kind === 'run'))
    assert.ok(shell.includes(`ci_run '${run.command}'`));
  assert.match(read('.ci/docker-steps'), /scripts\/dockerfile-steps\.mjs "\$DOCKERFILE" --shell/);
});

test('the image: what the package ships, the default ports, a health check on /health, node as in engines', () => {
  const stages = dockerfileStages();
  const runtime = stages.at(-1)!;
  const copied = runtime.steps
    .filter((s) => s.kind === 'copy' && s.from === 'build')
    .flatMap((s) => s.sources);
  const pkg = JSON.parse(read('package.json')) as { files: string[]; engines: { node: string } };
  for (const entry of pkg.files.filter((f) => f !== 'README.md' && f !== 'npm-shrinkwrap.json')) {
    assert.ok(copied.includes(`/app/${entry}`), `the runtime stage copies ${entry}`);
  }
  for (const needed of ['/app/package.json', '/app/node_modules']) assert.ok(copied.includes(needed), needed);
  for (const stage of stages) {
    for (const copy of stage.steps.filter((s) => s.kind === 'copy' && s.from === undefined)) {
      for (const source of copy.sources ?? [])
        assert.ok(existsSync(join(ROOT, source)), `COPY ${source} exists`);
    }
    const major = /^node:(\d+)-/.exec(stage.base)?.[1];
    assert.equal(
      major,
      /^>=(\d+)/.exec(pkg.engines.node)?.[1],
      `${stage.base} is the Node.js of package.json`,
    );
  }
  const exposed = runtime.steps.find((s) => s.kind === 'expose')?.values?.map(Number);
  const ports = ['server.port', 'server.http_port', 'server.https_port', 'server.tls_port'].map(
    settingDefault,
  );
  assert.deepEqual(exposed?.sort(), (ports as number[]).sort());
  const health = [runtime.steps.find((s) => s.kind === 'healthcheck')?.command ?? []].flat().join(' ');
  assert.match(health, /\/health/);
  assert.match(health, /OVMS_HTTP_PORT/);
  assert.deepEqual(runtime.steps.find((s) => s.kind === 'cmd')?.command, [
    'node',
    'bin/ovms-server.js',
    'start',
  ]);
});

test('deploy files name only settings that exist (OVMS_* variables)', () => {
  const known = new Set<string>(SETTINGS.map((s) => s.env));
  known.add('OVMS_CONFIG');
  for (const file of [
    'deploy/docker/Dockerfile',
    'deploy/docker/compose.yaml',
    'deploy/systemd/ovms-server.service',
  ]) {
    for (const name of read(file).match(/\bOVMS_[A-Z0-9_]+/g) ?? []) {
      if (name === 'OVMS_DB_PASSWORD') continue; // compose's own variable, for PostgreSQL
      assert.ok(known.has(name), `${file}: ${name} is not a setting`);
    }
  }
});

test('compose.yaml: two nodes on the Redis bus and PostgreSQL; HAProxy balances 6867, 6868 and 6870 over both', () => {
  const compose = read('deploy/docker/compose.yaml');
  for (const service of ['postgres', 'redis', 'node1', 'node2', 'haproxy']) {
    assert.match(compose, new RegExp(`^  ${service}:$`, 'm'), `service ${service}`);
  }
  assert.match(compose, /^ {6}OVMS_NODE_ID: node1$/m);
  assert.match(compose, /^ {6}OVMS_NODE_ID: node2$/m);
  assert.match(compose, /^ {2}OVMS_BUS: redis:\/\/redis:6379$/m);
  assert.match(
    compose,
    /^ {2}OVMS_DB: postgres:\/\/ovms:\$\{OVMS_DB_PASSWORD:\?[^}]*\}@postgres:5432\/ovms$/m,
  );
  assert.match(compose, /dockerfile: deploy\/docker\/Dockerfile/);
  assert.match(compose, /\.\/haproxy\.cfg:\/usr\/local\/etc\/haproxy\/haproxy\.cfg:ro/);

  const haproxy = read('deploy/docker/haproxy.cfg');
  const sections = haproxy.split(/^(?=\S)/m);
  const section = (head: RegExp) => sections.find((s) => head.test(s)) ?? '';
  for (const port of [6867, 6868, 6870]) {
    const frontend = sections.find((s) => s.startsWith('frontend') && new RegExp(`bind :${port}\\b`).test(s));
    const backendName = /default_backend (\S+)/.exec(frontend ?? '')?.[1];
    assert.ok(backendName, `a frontend binds ${port}`);
    const backend = section(new RegExp(`^backend ${backendName}\\b`));
    for (const node of ['node1', 'node2']) {
      assert.match(
        backend,
        new RegExp(`server ${node} ${node}:${port}\\b`),
        `${backendName} has ${node}:${port}`,
      );
    }
    if (port !== 6870) assert.match(backend, /option httpchk GET \/health/, `${backendName} checks /health`);
  }
});

test('the systemd unit: hardened, a dedicated user, writable data folder only, reload by SIGHUP', () => {
  const unit = read('deploy/systemd/ovms-server.service');
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1];
  assert.equal(value('User'), 'ovms');
  assert.equal(value('ProtectSystem'), 'strict');
  assert.equal(value('ReadWritePaths'), '/var/lib/ovms-server');
  assert.equal(value('StateDirectory'), 'ovms-server');
  assert.equal(value('NoNewPrivileges'), 'yes');
  assert.equal(value('PrivateTmp'), 'yes');
  assert.equal(value('Restart'), 'on-failure');
  assert.equal(value('CapabilityBoundingSet'), '');
  assert.ok(Number(value('LimitNOFILE')) > Number(settingDefault('limits.max_connections')));
  // systemctl reload: SIGHUP, which the start command handles (it reads the TLS certificate again).
  assert.equal(value('ExecReload'), '/bin/kill -HUP $MAINPID');
  assert.ok(
    read('src/cli/start-command.ts').includes("process.on('SIGHUP'"),
    'the start command handles SIGHUP',
  );
});

test('the docs point at the deploy files and docs/operations.md', () => {
  const deployment = read('docs/deployment.md');
  for (const file of [
    'deploy/systemd/ovms-server.service',
    'deploy/docker/compose.yaml',
    'deploy/docker/haproxy.cfg',
  ]) {
    assert.ok(deployment.includes(`../${file}`), `docs/deployment.md links ${file}`);
  }
  assert.ok(deployment.includes('operations.md'));
  assert.ok(read('README.md').includes('docs/operations.md'));
  const operations = read('docs/operations.md');
  for (const topic of [
    'ovms-server backup',
    'pg_dump',
    'mariadb-dump',
    'logrotate',
    '/health',
    '.ci/docker-steps',
  ]) {
    assert.ok(operations.includes(topic), `docs/operations.md covers ${topic}`);
  }
});
