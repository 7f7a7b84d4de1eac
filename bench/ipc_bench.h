/*
 * Round-trip benchmarks of bench/ipc_bench.c that /bin/bench (bench/bench.c) also runs, on
 * Linux and on Tessera alike. Each prints "BENCH key value" lines for 1, 64, 1024 and 4096
 * byte messages and returns 0, or -1 after printing a "BENCH key_error ..." line.
 */
#pragma once

/* argv = { self, "ipc-echo", "cbox", REQ, REP } or { self, "ipc-echo", "pipe", RFD, WFD }:
 * runs the echo child and returns its exit status; -1 if argv asks for something else. */
int ipc_bench_child(int argc, char **argv);

/* /bin/ipcbench: container boxes on Tessera (cbox_rt_ns_N, cbox_rt_same_ns_N), pipes
 * between processes under Linux. self is the absolute path of the running program. */
int ipc_bench_run(const char *self);

/* Pipe round trips with an echo child process running self (pipe_rt_ns_N). */
int ipc_bench_pipes(const char *self);

/* Pipe round trips with an echo thread (pipe_rt_thread_ns_N). */
int ipc_bench_pipe_threads(void);
