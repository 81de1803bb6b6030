#!/usr/bin/env node
// Turns deploy/docker/Dockerfile into the same steps as plain shell commands, so .ci/docker-steps can
// run them in a scratch folder where no Docker daemon is available: the commands come from the
// Dockerfile itself and cannot drift from it.
//
//   node scripts/dockerfile-steps.mjs FILE --json              the parsed stages, as JSON
//   node scripts/dockerfile-steps.mjs FILE --shell [--host-env K=V ...]
//                                                             a bash fragment (see .ci/docker-steps)
//
// Each stage gets a folder of its own standing for its file system root ($ROOT/stages/<name>),
// COPY copies from the build context ($CONTEXT) or another stage's folder, ENV is exported within the
// stage, RUN runs in the stage's WORKDIR. A RUN that only makes sense inside an image (making users)
// is marked in the Dockerfile with a comment line "# ci: skip (why)" just above it, and is listed,
// not run. An instruction this script does not know is an error, so a new kind of step cannot be
// skipped silently.
import { readFileSync } from 'node:fs';

const SAFE_PATH = /^[A-Za-z0-9._/@+-]+$/;

/** Lines joined over trailing backslashes; comment lines in between dropped. */
function logicalLines(text) {
  const out = [];
  let current;
  let note;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) {
      if (current === undefined) {
        const skip = /^#\s*ci:\s*skip\b\s*(.*)$/.exec(trimmed);
        if (skip) note = skip[1].replace(/^\((.*)\)$/, '$1') || 'marked ci: skip';
      }
      continue;
    }
    if (current === undefined && trimmed === '') continue;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1) : line;
    current = current === undefined ? part.trim() : `${current} ${part.trim()}`;
    if (!continued) {
      out.push({ text: current, skip: note });
      current = undefined;
      note = undefined;
    }
  }
  if (current !== undefined) throw new Error('the Dockerfile ends inside a continued line');
  return out;
}

/** Words of an instruction's arguments, with "double" and 'single' quotes. */
function words(text) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  }
  return out;
}

function parseEnv(args) {
  const parts = words(args);
  if (parts.length === 2 && !parts[0].includes('=')) return [[parts[0], parts[1]]];
  return parts.map((p) => {
    const eq = p.indexOf('=');
    if (eq < 1) throw new Error(`cannot read ENV ${args}`);
    return [p.slice(0, eq), p.slice(eq + 1)];
  });
}

function parseCopy(args) {
  const parts = words(args);
  let from;
  const flags = [];
  while (parts[0]?.startsWith('--')) {
    const flag = parts.shift();
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    else if (/^--(chown|chmod)=/.test(flag)) flags.push(flag);
    else throw new Error(`COPY ${flag} is not supported by scripts/dockerfile-steps.mjs`);
  }
  if (parts.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  for (const p of parts) if (!SAFE_PATH.test(p)) throw new Error(`COPY path not supported: ${p}`);
  return { from, flags, sources: parts.slice(0, -1), dest: parts.at(-1) };
}

function execForm(args, what) {
  try {
    const list = JSON.parse(args);
    if (Array.isArray(list) && list.every((a) => typeof a === 'string') && list.length > 0) return list;
  } catch {
    // not JSON
  }
  throw new Error(`${what} must use the exec form ["program", "arg", ...]: ${args}`);
}

/** The Dockerfile as stages of steps. */
export function parseDockerfile(text) {
  const stages = [];
  let stage;
  for (const { text: line, skip } of logicalLines(text)) {
    const m = /^(\w+)\s*(.*)$/.exec(line);
    if (!m) throw new Error(`cannot read the line: ${line}`);
    const instruction = m[1].toUpperCase();
    const args = m[2];
    if (instruction === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`cannot read FROM ${args}`);
      stage = { name: f[2] ?? String(stages.length), base: f[1], workdir: '/', steps: [] };
      stages.push(stage);
      continue;
    }
    if (!stage) throw new Error(`${instruction} before FROM`);
    if (skip !== undefined && instruction !== 'RUN')
      throw new Error(`"# ci: skip" marks a RUN only, not ${line}`);
    switch (instruction) {
      case 'WORKDIR':
        if (!args.startsWith('/') || !SAFE_PATH.test(args))
          throw new Error(`WORKDIR must be absolute: ${args}`);
        stage.workdir = args;
        stage.steps.push({ kind: 'workdir', path: args });
        break;
      case 'ENV':
        for (const [key, value] of parseEnv(args)) stage.steps.push({ kind: 'env', key, value });
        break;
      case 'COPY':
        stage.steps.push({ kind: 'copy', workdir: stage.workdir, ...parseCopy(args) });
        break;
      case 'RUN':
        if (args.startsWith('[')) throw new Error(`RUN must use the shell form: ${args}`);
        stage.steps.push(
          skip === undefined ? { kind: 'run', command: args } : { kind: 'skip', command: args, why: skip },
        );
        break;
      case 'USER':
      case 'VOLUME':
      case 'EXPOSE':
        stage.steps.push({ kind: instruction.toLowerCase(), values: words(args) });
        break;
      case 'HEALTHCHECK': {
        const h = /^((?:--\S+\s+)*)CMD\s+(.*)$/.exec(args);
        if (!h) throw new Error(`cannot read HEALTHCHECK ${args}`);
        stage.steps.push({
          kind: 'healthcheck',
          options: words(h[1]),
          command: execForm(h[2], 'HEALTHCHECK CMD'),
        });
        break;
      }
      case 'CMD':
        stage.steps.push({ kind: 'cmd', command: execForm(args, 'CMD') });
        break;
      default:
        throw new Error(
          `${instruction} is not supported by scripts/dockerfile-steps.mjs: teach it, or keep the Dockerfile to what it runs`,
        );
    }
  }
  if (stages.length === 0) throw new Error('no FROM in the Dockerfile');
  return stages;
}

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

/** Where a path of a stage's file system is in the scratch folder (a shell word). */
function inStage(stageName, path, workdir) {
  const absolute = path.startsWith('/') ? path : `${workdir.replace(/\/$/, '')}/${path}`;
  return `"$ROOT/stages/${stageName}${absolute.replace(/\/\.\/?$/, '/').replace(/\/\.\//g, '/')}"`;
}

/** The stages as a bash fragment calling the ci_* functions .ci/docker-steps defines. */
export function toShell(stages, hostEnv) {
  const out = [];
  for (const stage of stages) {
    out.push('(', `ci_stage ${quote(stage.name)} ${quote(stage.base)}`);
    out.push(`mkdir -p "$ROOT/stages/${stage.name}" && cd "$ROOT/stages/${stage.name}"`);
    for (const step of stage.steps) {
      switch (step.kind) {
        case 'workdir':
          out.push(
            `mkdir -p ${inStage(stage.name, step.path, '/')} && cd ${inStage(stage.name, step.path, '/')}`,
          );
          break;
        case 'env':
          if (hostEnv.has(step.key)) {
            out.push(
              `ci_note ${quote(`ENV ${step.key}=${step.value} is ${hostEnv.get(step.key)} on this machine`)}`,
            );
            out.push(`export ${step.key}=${quote(hostEnv.get(step.key))}`);
          } else {
            out.push(`export ${step.key}=${quote(step.value)}`);
          }
          break;
        case 'copy': {
          const sources = step.sources.map((s) =>
            step.from === undefined ? `"$CONTEXT/${s}"` : inStage(step.from, s, '/'),
          );
          const dest = inStage(stage.name, step.dest, step.workdir);
          // A destination ending in / (or several sources) is a folder to copy into.
          const folder = step.dest.endsWith('/') || step.sources.length > 1;
          const target = folder && !dest.endsWith('/"') ? dest.replace(/"$/, '/"') : dest;
          out.push(`ci_copy ${target} ${sources.join(' ')}`);
          break;
        }
        case 'run':
          out.push(`ci_run ${quote(step.command)}`);
          break;
        case 'skip':
          out.push(`ci_skip ${quote(step.why)} ${quote(step.command)}`);
          break;
        case 'healthcheck':
          out.push(`CI_HEALTHCHECK=(${step.command.map(quote).join(' ')})`);
          break;
        case 'cmd':
          out.push(`CI_CMD=(${step.command.map(quote).join(' ')})`);
          break;
        default:
          out.push(
            `ci_note ${quote(`${step.kind.toUpperCase()} ${step.values.join(' ')} (image metadata)`)}`,
          );
      }
    }
    if (stage === stages.at(-1)) out.push('ci_run_image');
    out.push(')');
  }
  return `${out.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, mode, ...rest] = process.argv.slice(2);
  if (!file || (mode !== '--json' && mode !== '--shell')) {
    process.stderr.write(
      'usage: dockerfile-steps.mjs DOCKERFILE --json | --shell [--host-env KEY=VALUE ...]\n',
    );
    process.exit(2);
  }
  const hostEnv = new Map();
  for (let i = 0; i < rest.length; i += 2) {
    const pair = rest[i + 1] ?? '';
    if (rest[i] !== '--host-env' || !pair.includes('=')) throw new Error(`unexpected argument ${rest[i]}`);
    hostEnv.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }
  const stages = parseDockerfile(readFileSync(file, 'utf8'));
  process.stdout.write(mode === '--json' ? `${JSON.stringify(stages, null, 2)}\n` : toShell(stages, hostEnv));
}
