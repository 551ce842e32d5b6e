/* `minivmm bench`: exit round trips against the bare-KVM floor, and what tracing costs. */
#ifndef MINIVMM_BENCH_H
#define MINIVMM_BENCH_H

/* argv[0] is "bench". Returns the process exit status. */
int bench_command(int argc, char **argv);

#endif
