/* Programs (see program.h). A program stays while a process uses it; the same plate gives the
 * same program resource, so its header is parsed once. */
#include "kernel/proc/program.h"
#include "abi/errno.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"

struct program {
	struct res_hdr hdr;
	rid_t plate;
	uint32_t users;
	struct elf_image img;
};

static struct program programs[NPROGRAM];
static struct res_table program_table;

static struct program *get(rid_t rid)
{
	return res_obj(rid, RT_PROGRAM);
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct program *p = get(rid);
	uint64_t text = 0, data = 0, bss = 0;
	for (int i = 0; i < p->img.nseg; i++) {
		const struct elf_seg *s = &p->img.seg[i];
		if (s->flags & ELF_PF_W) {
			data += s->filesz;
			bss += s->memsz - s->filesz;
		} else {
			text += s->memsz;
		}
	}
	info->v[0] = text;
	info->v[1] = data;
	info->v[2] = bss;
	info->v[3] = p->img.entry - (p->img.pie ? p->img.lo : 0);
	info->v[4] = p->img.pie;
	info->v[5] = p->users;
	res_add_ref(info, "plate", p->plate);
}

static const struct res_ops program_ops = { .describe = describe };

void program_init(void)
{
	program_table = (struct res_table){ .name = "program", .base = programs,
					    .stride = sizeof(struct program),
					    .capacity = NPROGRAM, .ops = &program_ops };
	res_register(RT_PROGRAM, &program_table);
}

static rid_t find_by_plate(rid_t plate)
{
	for (int i = 0; i < NPROGRAM; i++)
		if (programs[i].hdr.rid && programs[i].plate == plate)
			return programs[i].hdr.rid;
	return 0;
}

int program_open(const char *path, const struct cred *cred, rid_t *out)
{
	rid_t plate, rid;
	int err = plate_lookup_path(path, &plate);
	if (err)
		return err;
	if (plate_is_dir(plate) == 1)
		return -EACCES;
	if ((rid = find_by_plate(plate))) {
		get(rid)->users++;
		*out = rid;
		return 0;
	}
	const void *data;
	size_t size;
	struct elf_image img;
	if ((err = plate_map_image(plate, &data, &size)))
		return err == -ENOTSUP ? -ENOEXEC : err;
	if ((err = elf_parse(data, size, &img)))
		return err;
	const char *base = strrchr(path, '/');
	if ((err = res_alloc(RT_PROGRAM, base ? base + 1 : path, cred, TMODE_DEFAULT, &rid)))
		return err;
	struct program *p = get(rid);
	p->plate = plate;
	p->users = 1;
	p->img = img;
	*out = rid;
	return 0;
}

void program_put(rid_t rid)
{
	struct program *p = get(rid);
	assert(p && p->users > 0);
	if (--p->users == 0)
		res_free(rid);
}

const struct elf_image *program_image(rid_t rid)
{
	struct program *p = get(rid);
	return p ? &p->img : NULL;
}

int program_file(rid_t rid, const void **data, size_t *size)
{
	struct program *p = get(rid);
	if (!p)
		return -ESTALE;
	return plate_map_image(p->plate, data, size);
}
