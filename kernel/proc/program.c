/* Programs (see program.h). A program stays while a process uses it, and the same plate gives
 * the same program resource (its text shared). When its last user goes, it moves to the
 * reusable-resource table with its text regions, so running it again skips the parse, the
 * relocation dry run and the text load. */
#include "kernel/proc/program.h"
#include "abi/errno.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vregion.h"
#include "kernel/res/reuse.h"

struct program {
	struct res_hdr hdr;
	rid_t plate;
	uint32_t users;
	bool share_text;                   /* no relocation writes into a non-writable segment */
	rid_t text[ELF_MAX_SEGS];          /* shared text regions, pinned by the program */
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
	for (int i = 0; i < p->img.nseg; i++)
		res_add_ref(info, "text", p->text[i]);
}

static const struct res_ops program_ops = { .describe = describe };

static void destroy(rid_t rid)
{
	struct program *p = get(rid);
	for (int i = 0; i < ELF_MAX_SEGS; i++) {
		if (!p->text[i])
			continue;
		vregion_pin(p->text[i], -1);
		vregion_delete(p->text[i]);
	}
	res_free(rid);
}

void program_init(void)
{
	program_table = (struct res_table){ .base = programs,
					    .stride = sizeof(struct program),
					    .capacity = NPROGRAM, .ops = &program_ops };
	res_register(RT_PROGRAM, &program_table);
	reuse_register(RK_PROGRAM, destroy);
}

/* A dry run of the relocations: do any of them land in a non-writable segment? */
#define TEXT_CHECK_BASE 0x100000000000ull
struct text_check {
	const struct elf_image *img;
	bool shareable;
};

static int check_write(void *ctx, uint64_t vaddr, uint64_t value)
{
	struct text_check *tc = ctx;
	uint64_t link = vaddr - (tc->img->pie ? TEXT_CHECK_BASE : 0);
	(void)value;
	for (int i = 0; i < tc->img->nseg; i++) {
		const struct elf_seg *s = &tc->img->seg[i];
		if (link >= (s->vaddr & ~0xfffull) && link < s->vaddr + s->memsz &&
		    !(s->flags & ELF_PF_W))
			tc->shareable = false;
	}
	return 0;
}

/* A program some process runs now (its text is shared), or one in the reusable-resource
 * table (taken back, a hit), or 0. */
static rid_t find_by_plate(rid_t plate)
{
	for (int i = 0; i < NPROGRAM; i++)
		if (programs[i].hdr.rid && programs[i].plate == plate && programs[i].users)
			return programs[i].hdr.rid;
	return reuse_take(RK_PROGRAM, plate);
}

int program_open(const char *path, const struct cred *cred, rid_t *out)
{
	rid_t plate, rid;
	int err = plate_lookup_path(path, &plate);
	if (err)
		return err;
	if (plate_is_dir(plate))
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
	/* A fixed-address program must lie below the system-wide range (uva.h): the kernel gives
	 * those addresses out, and a space may hold processes of any program (HVS), so one fixed
	 * inside could collide with what any process gets. Refused, not reserved: reserving would
	 * let only one copy run at a time, and fail for reasons no user can see. */
	if (!img.pie && img.hi > UVA_BASE)
		return -ENOEXEC;
	struct text_check tc = { &img, true };
	if ((err = elf_relocate(&img, data, size, img.pie ? TEXT_CHECK_BASE : 0, check_write, &tc)))
		return err;
	const char *base = strrchr(path, '/');
	if ((err = res_alloc(RT_PROGRAM, base ? base + 1 : path, cred, TMODE_DEFAULT, &rid)))
		return err;
	struct program *p = get(rid);
	p->plate = plate;
	p->users = 1;
	p->img = img;
	p->share_text = tc.shareable;
	*out = rid;
	return 0;
}

void program_get(rid_t rid)
{
	struct program *p = get(rid);
	assert(p && p->users > 0);
	p->users++;
}

void program_put(rid_t rid)
{
	struct program *p = get(rid);
	assert(p && p->users > 0);
	if (--p->users)
		return;
	if (!reuse_put(RK_PROGRAM, rid, p->plate))
		destroy(rid);
}

int program_text_region(rid_t rid, int seg, rid_t *out)
{
	struct program *p = get(rid);
	if (!p || seg < 0 || seg >= p->img.nseg)
		return -EINVAL;
	const struct elf_seg *s = &p->img.seg[seg];
	if (!p->share_text || (s->flags & ELF_PF_W))
		return -ENOENT;
	if (!p->text[seg]) {
		const void *data;
		size_t size;
		uint64_t start = s->vaddr & ~0xfffull;
		uint64_t len = ((s->vaddr + s->memsz + 0xfff) & ~0xfffull) - start;
		uint32_t prot = VR_R | (s->flags & ELF_PF_X ? VR_X : 0);
		rid_t region;
		int err = program_file(rid, &data, &size);
		if (!err)
			err = vregion_create(len, TRK_TEXT, prot, "text", NULL, &region);
		if (err)
			return err;
		if ((err = vregion_write(region, s->vaddr - start, (const uint8_t *)data + s->offset,
					 s->filesz))) {
			vregion_delete(region);
			return err;
		}
		vregion_pin(region, 1);
		p->text[seg] = region;
	}
	*out = p->text[seg];
	return 0;
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
