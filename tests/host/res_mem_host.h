/* Host stand-in for the growing tables' memory (res_mem_host.c): counters for the tests. */
#pragma once
extern int res_mem_host_fail;     /* this many next res_mem_map calls fail with -ENOMEM */
extern long res_mem_host_pages;   /* pages mapped now */
