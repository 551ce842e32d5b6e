/* `minivmm top SOCKET`: a live view of one VM's exits through its control socket (docs/api.md). */
#ifndef MINIVMM_TOP_H
#define MINIVMM_TOP_H

/* argv[0] is "top". Returns a process exit status. */
int top_command(int argc, char **argv);

#endif
