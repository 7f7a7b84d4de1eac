/* Path normalisation (see path.h). It is purely lexical apart from the directory check
 * callback, so it runs unchanged in host tests. */
#include "kernel/fs/path.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"

/* The canonical path being built: always NUL-terminated, "/" when empty. */
struct pbuf {
	char *s;
	size_t len;
};

static void pop_component(struct pbuf *b)
{
	while (b->len > 1 && b->s[b->len - 1] != '/')
		b->len--;
	if (b->len > 1)
		b->len--;
	b->s[b->len] = '\0';
}

static int push_component(struct pbuf *b, const char *c, size_t n)
{
	size_t sep = b->len > 1 ? 1 : 0;
	if (n > NAME_MAX_LEN || b->len + sep + n > CANON_MAX_LEN)
		return -ENAMETOOLONG;
	if (sep)
		b->s[b->len++] = '/';
	memcpy(b->s + b->len, c, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/* Applies one component; rest (not NULL) says the path continues after it with '/'. */
static int apply_rest(struct pbuf *b, const char *c, size_t n, const char *rest,
		      path_dir_check check, void *arg)
{
	if (n == 1 && c[0] == '.')
		return 0;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		pop_component(b);
		return 0;
	}
	int err = push_component(b, c, n);
	if (!err && rest && check)
		err = check(b->s, b->len, rest, arg);
	return err;
}

static int apply(struct pbuf *b, const char *c, size_t n, int dir, path_dir_check check,
		 void *arg)
{
	return apply_rest(b, c, n, dir ? c + n : NULL, check, arg);
}

static int start_from(struct pbuf *b, const char *base, const char *path)
{
	b->len = 1;
	b->s[0] = '/';
	b->s[1] = '\0';
	if (path[0] == '/')
		return 0;
	size_t n = strnlen(base, PATH_BUF);
	if (n > CANON_MAX_LEN)
		return -ENAMETOOLONG;
	if (base[0] != '/')
		return -EINVAL;
	memcpy(b->s, base, n + 1);
	b->len = n;
	while (b->len > 1 && b->s[b->len - 1] == '/')
		b->s[--b->len] = '\0';
	return 0;
}

int path_normalize(const char *base, const char *path, char out[PATH_BUF], path_dir_check check,
		   void *arg)
{
	struct pbuf b = { out, 0 };
	int err = 0;
	if (path[0] == '\0')
		err = -ENOENT;
	else if (strnlen(path, PATH_BUF) > CANON_MAX_LEN)
		err = -ENAMETOOLONG;
	else
		err = start_from(&b, base, path);
	for (const char *p = path; !err && *p;) {
		while (*p == '/')
			p++;
		const char *c = p;
		while (*p && *p != '/')
			p++;
		if (p > c)
			err = apply(&b, c, (size_t)(p - c), *p == '/', check, arg);
	}
	if (err)
		out[0] = '\0';
	return err;
}

void path_parent(const char *canon, char *out)
{
	struct pbuf b = { out, strnlen(canon, CANON_MAX_LEN) };
	memcpy(out, canon, b.len);
	out[b.len] = '\0';
	pop_component(&b);
	if (b.len == 0 || out[0] != '/') {
		out[0] = '/';
		out[1] = '\0';
	}
}

const char *path_basename(const char *canon)
{
	const char *slash = strrchr(canon, '/');
	return slash ? slash + 1 : canon;
}
