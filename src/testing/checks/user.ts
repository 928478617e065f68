import { numericUser } from '../image-user.ts';
import { type Check, failed, passed, skipped } from './check.ts';

export const NON_ROOT_USER = 'non-root-user';
export const KUBERNETES = 'kubernetes-compatible';

/**
 * Runtime images run as a numeric, non-zero user (DESIGN.md, Image rules: 65532). Numeric, because only a
 * number can be verified without reading the image's /etc/passwd (Kubernetes runAsNonRoot does exactly that).
 * Other variants (dev images run as root by design) are skipped.
 */
export const nonRootUser: Check = ({ config, expect }) => {
  const user = config.config?.User ?? '';
  if (expect.variant !== 'runtime') return skipped(NON_ROOT_USER, `the ${expect.variant} variant may run as any user`);
  const n = numericUser(user);
  if (n === undefined) {
    return failed(NON_ROOT_USER, user === '' ? 'no User set: runs as root' : `User "${user}" is not numeric`);
  }
  if (n.uid === 0) return failed(NON_ROOT_USER, `User "${user}" is root`);
  return passed(NON_ROOT_USER, `runs as ${user}`);
};

/**
 * What a Kubernetes pod with `runAsNonRoot: true` and no NET_BIND_SERVICE needs: a numeric non-zero User
 * (the kubelet refuses a name it cannot verify), and no exposed port below 1024 (binding one needs a
 * capability the process does not have). Skipped for variants other than runtime.
 */
export const kubernetesCompatible: Check = ({ config, expect }) => {
  if (expect.variant !== 'runtime')
    return skipped(KUBERNETES, `the ${expect.variant} variant is not meant for clusters`);
  const problems: string[] = [];
  const user = config.config?.User ?? '';
  const n = numericUser(user);
  if (n === undefined) problems.push(`User "${user}" is not numeric, so runAsNonRoot cannot verify it`);
  else if (n.uid === 0) problems.push('runs as uid 0, which runAsNonRoot refuses');
  const privileged = Object.keys(config.config?.ExposedPorts ?? {}).filter((p) => {
    const port = Number(p.split('/')[0]);
    return Number.isInteger(port) && port > 0 && port < 1024;
  });
  if (privileged.length > 0) problems.push(`privileged ports exposed: ${privileged.join(', ')}`);
  return problems.length === 0
    ? passed(KUBERNETES, 'numeric non-root user, no privileged ports')
    : failed(KUBERNETES, problems.join('; '));
};
