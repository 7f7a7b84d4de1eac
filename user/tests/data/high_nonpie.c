/* A fixed-address (non-PIE) static program linked inside the system-wide user address range
 * (at 0x500000000000, above UVA_BASE): Tessera must refuse to start it with ENOEXEC (utest
 * robust_nonpie_high). No C library: it only exits. */
void _start(void);

void _start(void)
{
	__asm__ volatile("mov $60, %eax\n\t"
			 "xor %edi, %edi\n\t"
			 "syscall\n\t"
			 "hlt");
}
