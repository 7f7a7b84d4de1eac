/* The `vector` word of the frames the call entries build (entry.S, smode_entry.S), shared by
 * the assembly and C: it tells the way out of a call which return the frame allows. */
#pragma once

#define TF_VEC_SYSCALL 0x100        /* a `syscall` instruction's frame */
#define TF_VEC_FUNCENTRY 0x101      /* an Smode function-entry call's frame */
#define TF_VEC_RESTORED 0x1ff       /* a call's frame whose every register the kernel replaced */
