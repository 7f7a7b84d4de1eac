/* Kernel formatted output: a small vsnprintf and the console/panic front ends. */
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include <stdint.h>
#include <stdbool.h>

void (*kprintf_sink)(const char *s, size_t n);
void (*kprintf_log)(const char *s, size_t n);
bool kprintf_console_quiet;
static bool in_panic;

struct outbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	bool left, zero;
	int width;
};

static void out_padded(struct outbuf *o, const char *s, size_t n, struct spec *sp)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;
	char pc = sp->zero && !sp->left ? '0' : ' ';
	if (pc == '0' && n && (*s == '-') && pad) {
		out_char(o, *s++);
		n--;
	}
	if (!sp->left)
		while (pad-- > 0)
			out_char(o, pc);
	while (n--)
		out_char(o, *s++);
	if (sp->left)
		while (pad-- > 0)
			out_char(o, ' ');
}

/* How a byte of a %s argument is shown: printable ASCII as itself, the backslash as "\\",
 * anything else (control bytes, DEL, non-ASCII) as \xNN. Strings in messages may be chosen by
 * users (process names), and raw they could end a console line, forge one, or drive the
 * terminal. Returns the number of characters shown. */
static size_t out_esc_char(struct outbuf *o, unsigned char c, bool emit)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
	size_t n = 4;
	if (c == '\\')
		tmp[1] = '\\', n = 2;
	else if (c >= 0x20 && c < 0x7f)
		tmp[0] = (char)c, n = 1;
	for (size_t i = 0; emit && i < n; i++)
		out_char(o, tmp[i]);
	return n;
}

static void out_escaped(struct outbuf *o, const char *s, struct spec *sp)
{
	size_t n = 0;
	if (!s)
		s = "(null)";
	for (const char *q = s; *q; q++)
		n += out_esc_char(o, (unsigned char)*q, false);
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;
	char pc = sp->zero && !sp->left ? '0' : ' ';
	if (!sp->left)
		while (pad-- > 0)
			out_char(o, pc);
	for (; *s; s++)
		out_esc_char(o, (unsigned char)*s, true);
	if (sp->left)
		while (pad-- > 0)
			out_char(o, ' ');
}

static void out_number(struct outbuf *o, uint64_t v, bool neg, unsigned base, bool upper,
		       struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int i = sizeof(tmp);
	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[--i] = '-';
	out_padded(o, tmp + i, sizeof(tmp) - i, sp);
}

static const char *parse_spec(const char *f, struct spec *sp, int *lng)
{
	sp->left = sp->zero = false;
	sp->width = 0;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	*lng = 0;
	while (*f == 'l' || *f == 'z')
		(*lng)++, f++;
	return f;
}

static uint64_t fetch_unsigned(va_list *ap, int lng)
{
	return lng ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	va_list aq;
	va_copy(aq, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			out_char(&o, *f);
			continue;
		}
		struct spec sp;
		int lng;
		f = parse_spec(f + 1, &sp, &lng);
		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(aq, int64_t) : va_arg(aq, int);
			out_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, &sp);
			break;
		}
		case 'u':
			out_number(&o, fetch_unsigned(&aq, lng), false, 10, false, &sp);
			break;
		case 'x':
		case 'X':
			out_number(&o, fetch_unsigned(&aq, lng), false, 16, *f == 'X', &sp);
			break;
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_number(&o, (uintptr_t)va_arg(aq, void *), false, 16, false, &sp);
			break;
		case 's':
			out_escaped(&o, va_arg(aq, const char *), &sp);
			break;
		case 'c':
			out_char(&o, (char)va_arg(aq, int));
			break;
		case '%':
			out_char(&o, '%');
			break;
		default:
			out_char(&o, '%');
			if (!*f)
				f--;
			else
				out_char(&o, *f);
		}
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (kprintf_log)
		kprintf_log(buf, (size_t)n);
	if (kprintf_sink && (!kprintf_console_quiet || in_panic))
		kprintf_sink(buf, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

/* Provided by the architecture (or the host test harness): stop for good. */
_Noreturn void arch_halt_forever(void);

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	in_panic = true;                /* a panic reaches the console whatever its level */
	kprintf("\nKERNEL PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_halt_forever();
}
