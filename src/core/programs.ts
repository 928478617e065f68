/*
 * Programs whose presence in an image matters for hardening, by name. `test` (the no-shell and
 * no-package-manager checks), `compare` (attack surface) and the build's image labels all judge from these
 * lists, so they cannot disagree about what counts.
 */

/** Command interpreters: POSIX shells and their relatives, and the multi-call binaries whose `sh` is a shell. */
export const SHELLS: readonly string[] = [
  'ash',
  'bash',
  'busybox',
  'csh',
  'dash',
  'fish',
  'ksh',
  'ksh93',
  'mksh',
  'pdksh',
  'posh',
  'rbash',
  'sh',
  'tcsh',
  'toybox',
  'yash',
  'zsh',
];

/**
 * Operating-system package managers: each lets a running container change its own base. Language package
 * managers (pip, npm) are left out on purpose: they are part of a language runtime image's job.
 */
export const PACKAGE_MANAGERS: readonly string[] = [
  'apk',
  'apt',
  'apt-get',
  'aptitude',
  'dnf',
  'dpkg',
  'microdnf',
  'opkg',
  'pacman',
  'rpm',
  'yum',
  'zypper',
];
