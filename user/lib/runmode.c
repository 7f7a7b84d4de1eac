/* libtessera: the running-mode switch calls (docs/runmode.md) and what a process can see of
 * its own mode: the control area's flag and the privilege level of its code segment. */
#include "abi/tessera.h"
#include "libtessera.h"
#include "tsys.h"

int t_switch_supervisor(int pid)
{
	return (int)tsys_t_switch_supervisor(pid);
}

int t_switch_user(int pid)
{
	return (int)tsys_t_switch_user(pid);
}

int t_runmode_info(int pid, struct t_runmode_info *out)
{
	return (int)tsys_t_runmode_info(pid, (long)out);
}

uint32_t t_runmode_self(void)
{
	return (uint32_t)((const volatile struct t_cca *)T_CCA_ADDR)->mode;
}

int t_cpl(void)
{
	uint16_t cs;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

const char *t_runmode_name(uint32_t mode)
{
	return mode == TRM_SMODE ? "smode" : mode == TRM_UMODE ? "umode" : "?";
}
