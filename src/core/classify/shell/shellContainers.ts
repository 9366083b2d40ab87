/**
 * docker / podman / nerdctl (and docker-compose, as `docker compose`): what each verb does to
 * containers, images and volumes on this machine. A container's own files go with it; volumes and
 * images forced out may have no other copy. Logins are the logins family's (families/logins.ts).
 */
import type { Reversibility } from '../../effects.js';

/** Verb-by-verb rules for the container engines, where the general verb rule is not enough. */
export function containerRule(name: string, t: string[]): { rev: Reversibility; kind: 'read' | 'delete' | 'process' | 'write' | 'network'; detail: string; outside?: boolean } | undefined {
  const pos = t.filter((a) => !a.startsWith('-')).map((a) => a.toLowerCase());
  const [v1 = '', v2 = ''] = pos;
  const force = t.some((a) => a === '--force' || /^-[a-zA-Z]*f[a-zA-Z]*$/.test(a));
  const vol = t.some((a) => a === '-v' || a === '--volumes' || /^-[a-zA-Z]*v[a-zA-Z]*$/.test(a));
  if (name === 'docker' || name === 'podman' || name === 'nerdctl') {
    if (['ps', 'images', 'inspect', 'logs', 'version', 'info', 'stats', 'top', 'events', 'history', 'search', 'port', 'diff'].includes(v1)) return { rev: 'read', kind: 'read', detail: `${name} ${v1}` };
    // Forced, it also removes images that containers use or that carry several tags: a committed,
    // loaded or locally built image with no copy in a registry is gone.
    if (v1 === 'rmi' || (v1 === 'image' && (v2 === 'rm' || v2 === 'remove'))) return force ? { rev: 'irreversible', kind: 'delete', detail: `${name} ${v1} ${v2 === 'rm' || v2 === 'remove' ? `${v2} ` : ''}--force removes images even while containers use them (one with no registry copy cannot be pulled back)` } : { rev: 'recoverable', kind: 'delete', detail: `${name} ${v1} removes an image (pull or build it again)` };
    // A container's own file system layer is gone with it (only volumes and the image survive).
    if (v1 === 'rm' || (v1 === 'container' && (v2 === 'rm' || v2 === 'remove'))) return { rev: 'irreversible', kind: 'delete', detail: `${name} ${v1} removes a container and the files written inside it${force || vol ? ' (even while it runs, with its anonymous volumes)' : ''}` };
    if (v2 === 'prune' || v1 === 'prune' || (v1 === 'volume' && (v2 === 'rm' || v2 === 'remove'))) return { rev: 'irreversible', kind: 'delete', detail: `${name} ${v1} ${v2} deletes containers, images or volumes` };
    // podman system reset: every container, pod, image, volume and network of this user, and their storage.
    if (v1 === 'system' && v2 === 'reset') return { rev: 'irreversible', kind: 'delete', detail: `${name} system reset deletes every container, pod, image, volume and network, and their storage` };
    // compose rm: the services' stopped containers (their own files) and, with -v, their anonymous volumes.
    if (v1 === 'compose' && v2 === 'rm') return { rev: 'irreversible', kind: 'delete', detail: `compose rm removes the services' containers and the files written inside them${vol ? ', with their anonymous volumes' : ''}` };
    if (v1 === 'compose' && v2 === 'down') return vol ? { rev: 'irreversible', kind: 'delete', detail: 'compose down -v deletes volumes' } : { rev: 'recoverable', kind: 'process', detail: 'compose down stops and removes containers' };
    if (['kill', 'stop', 'restart', 'pause'].includes(v1) || (v1 === 'container' && ['kill', 'stop', 'restart', 'pause'].includes(v2))) return { rev: 'recoverable', kind: 'process', detail: `${name} ${v1} ${v2}: stops a running service on this machine`.replace(/ +:/, ':'), outside: true };
    if (v1 === 'push') return { rev: 'recoverable', kind: 'network', detail: `${name} push uploads an image to a registry` };
    return { rev: 'recoverable', kind: 'process', detail: `${name} ${v1} ${v2}`.trim() };
  }
  return undefined;
}
