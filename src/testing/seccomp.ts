import type { Platform } from '../oci/index.ts';

/*
 * The default seccomp filter of every container `run` and `test` start (runtime-spec config-linux.md,
 * "Seccomp"). Its effect follows Docker's documented default profile: deny by default with EPERM, allow the
 * system calls ordinary programs use, and leave out what reaches kernel state a container does not own
 * (keyrings, BPF, modules, clocks, swap, reboot, accounting) and what builds a new view of the system (mount and
 * the new mount API, unshare, setns, pivot_root, clone with namespace flags). The list is ours; unknown names are
 * skipped by runc, so one list serves every kernel.
 */

/** Allowed for every process. Grouped by purpose; names are the kernel's (syscalls(2)). */
const ALLOWED: readonly string[] = [
  // files and directories
  'access faccessat faccessat2 chdir fchdir getcwd chmod fchmod fchmodat fchmodat2 chown chown32 fchown fchown32',
  ' fchownat lchown lchown32 close close_range creat open openat openat2 read readv pread64 preadv preadv2',
  ' write writev pwrite64 pwritev pwritev2 lseek _llseek dup dup2 dup3 fcntl fcntl64 flock fsync fdatasync',
  ' sync syncfs sync_file_range fallocate fadvise64 fadvise64_64 readahead truncate truncate64 ftruncate',
  ' ftruncate64 stat stat64 lstat lstat64 fstat fstat64 fstatat64 newfstatat statx statfs statfs64 fstatfs',
  ' fstatfs64 getdents getdents64 link linkat symlink symlinkat unlink unlinkat rename renameat renameat2',
  ' mkdir mkdirat rmdir mknod mknodat readlink readlinkat umask utime utimes utimensat utimensat_time64',
  ' futimesat copy_file_range sendfile sendfile64 splice tee vmsplice name_to_handle_at',
  ' getxattr lgetxattr fgetxattr setxattr lsetxattr fsetxattr listxattr llistxattr flistxattr removexattr',
  ' lremovexattr fremovexattr inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_mark',
  ' ioctl pipe pipe2 memfd_create',
  // memory
  ' brk mmap mmap2 munmap mremap mprotect madvise mincore msync mlock mlock2 mlockall munlock munlockall',
  ' remap_file_pages membarrier pkey_alloc pkey_free pkey_mprotect map_shadow_stack',
  // processes, threads, signals
  ' execve execveat exit exit_group fork vfork wait4 waitid waitpid kill tkill tgkill getpid getppid gettid',
  ' getpgid setpgid getpgrp getsid setsid getpriority setpriority prctl capget capset prlimit64 getrlimit',
  ' setrlimit ugetrlimit getrusage times sysinfo uname set_tid_address set_robust_list get_robust_list rseq',
  ' futex futex_time64 futex_waitv futex_wait futex_wake futex_requeue restart_syscall pause sigaltstack',
  ' rt_sigaction rt_sigprocmask rt_sigreturn rt_sigpending rt_sigsuspend rt_sigtimedwait',
  ' rt_sigtimedwait_time64 rt_sigqueueinfo rt_tgsigqueueinfo sigreturn sigprocmask signalfd signalfd4',
  ' pidfd_open pidfd_send_signal pidfd_getfd process_mrelease seccomp landlock_create_ruleset',
  ' landlock_add_rule landlock_restrict_self get_thread_area set_thread_area arch_prctl getcpu',
  ' sched_yield sched_getaffinity sched_setaffinity sched_getparam sched_setparam sched_getscheduler',
  ' sched_setscheduler sched_get_priority_max sched_get_priority_min sched_rr_get_interval',
  ' sched_rr_get_interval_time64 sched_getattr sched_setattr ioprio_get ioprio_set',
  // credentials (changing them still needs the capabilities, which non-root processes do not have)
  ' getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32 getresuid getresuid32 getresgid',
  ' getresgid32 getgroups getgroups32 setuid setuid32 setgid setgid32 setreuid setreuid32 setregid',
  ' setregid32 setresuid setresuid32 setresgid setresgid32 setgroups setgroups32 setfsuid setfsuid32',
  ' setfsgid setfsgid32',
  // time (reading it; setting the clock is not allowed)
  ' time gettimeofday clock_gettime clock_gettime64 clock_getres clock_getres_time64 clock_nanosleep',
  ' clock_nanosleep_time64 nanosleep alarm getitimer setitimer timer_create timer_delete timer_getoverrun',
  ' timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime',
  ' timerfd_gettime64 timerfd_settime timerfd_settime64',
  // waiting and events
  ' select _newselect pselect6 pselect6_time64 poll ppoll ppoll_time64 epoll_create epoll_create1 epoll_ctl',
  ' epoll_ctl_old epoll_wait epoll_wait_old epoll_pwait epoll_pwait2 eventfd eventfd2',
  ' io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents io_pgetevents_time64',
  // networking (inside the container's own network namespace)
  ' socketpair bind connect listen accept accept4 getsockname getpeername getsockopt setsockopt shutdown',
  ' send sendto sendmsg sendmmsg recv recvfrom recvmsg recvmmsg recvmmsg_time64 socketcall',
  // System V and POSIX IPC (inside the container's own IPC namespace)
  ' shmget shmat shmdt shmctl semget semop semtimedop semtimedop_time64 semctl msgget msgsnd msgrcv msgctl',
  ' ipc mq_open mq_unlink mq_timedsend mq_timedsend_time64 mq_timedreceive mq_timedreceive_time64',
  ' mq_notify mq_getsetattr getrandom',
]
  .join(' ')
  .split(/\s+/)
  .filter((s) => s !== '');

/** Allowed when the process holds the capability that guards them anyway (Docker does the same). */
const BY_CAPABILITY: Readonly<Record<string, readonly string[]>> = {
  CAP_SYS_CHROOT: ['chroot'],
};

/** clone(2) flags that create namespaces; a clone with any of them is refused (no CAP_SYS_ADMIN here). */
const CLONE_NAMESPACE_FLAGS =
  0x00020000 /* NEWNS */ |
  0x02000000 /* NEWCGROUP */ |
  0x04000000 /* NEWUTS */ |
  0x08000000 /* NEWIPC */ |
  0x10000000 /* NEWUSER */ |
  0x20000000 /* NEWPID */ |
  0x40000000; /* NEWNET */

/** personality(2) values ordinary programs use: PER_LINUX, PER_LINUX32, UNAME26 variants, and the query. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

const AF_VSOCK = 40;
const EPERM = 1;
const ENOSYS = 38;

/** libseccomp architecture names per OCI architecture: the native one and its compat ABIs. */
const ARCHITECTURES: Readonly<Record<string, readonly string[]>> = {
  amd64: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
  arm64: ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'],
  arm: ['SCMP_ARCH_ARM'],
  '386': ['SCMP_ARCH_X86'],
  ppc64le: ['SCMP_ARCH_PPC64LE'],
  s390x: ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390'],
  riscv64: ['SCMP_ARCH_RISCV64'],
};

/**
 * The `linux.seccomp` section for a process of `platform` holding `capabilities`: default action EPERM, the
 * allow-list above, clone without namespace flags, clone3 answered with ENOSYS (so libc falls back to clone,
 * whose flags can be inspected; clone3 passes them in memory a filter cannot read), personality limited to the
 * usual values, sockets of every family but vsock. Pure.
 */
export function seccompProfile(platform: Platform, capabilities: readonly string[]): object {
  const allowed = [...ALLOWED];
  for (const cap of capabilities) allowed.push(...(BY_CAPABILITY[cap] ?? []));
  // s390 passes the clone flags in the second argument (Docker's profile does the same split).
  const cloneFlagsArg = platform.architecture === 's390x' ? 1 : 0;
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ARCHITECTURES[platform.architecture] ?? [],
    syscalls: [
      { names: allowed, action: 'SCMP_ACT_ALLOW' },
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: cloneFlagsArg, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
      ...PERSONALITIES.map((value) => ({
        names: ['personality'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }],
      })),
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] },
    ],
  };
}

/** Whether a syscall name is on the allow-list for every process (for tests and the documentation). */
export function isAlwaysAllowed(name: string): boolean {
  return ALLOWED.includes(name);
}
