/*
 * Raw system calls of Tessera, generated from abi/syscalls.def: the call numbers TSYS_<name>
 * (tsys_nr.h, produced from the same list by a make rule) and one stub per call,
 * long tsys_<name>(args...), that issues the `syscall` instruction. Every stub returns what
 * the kernel returned: a value >= 0, or -errno. Nothing here touches errno.
 */
#pragma once
#include "tsys_nr.h"

/* Any call number, including ones the kernel does not know (used by the tests). */
long tsys_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

#define TSYS_PROTO0(fn) long fn(void);
#define TSYS_PROTO1(fn) long fn(long a0);
#define TSYS_PROTO2(fn) long fn(long a0, long a1);
#define TSYS_PROTO3(fn) long fn(long a0, long a1, long a2);
#define TSYS_PROTO4(fn) long fn(long a0, long a1, long a2, long a3);
#define TSYS_PROTO5(fn) long fn(long a0, long a1, long a2, long a3, long a4);
#define TSYS_PROTO6(fn) long fn(long a0, long a1, long a2, long a3, long a4, long a5);
/* The name is pasted right here, before the C library's macros (musl maps getdents64 to
 * getdents, for one) could rewrite it. */
#define SYSCALL(nr, name, nargs) TSYS_PROTO##nargs(tsys_##name)
#include "abi/syscalls.def"
#undef SYSCALL
