/* Programs (see program.h). A program stays while a process uses it, and the same content of
 * the same plate gives the same program resource (its text shared). When its last user goes,
 * it moves to the reusable-resource table with its text regions, so running it again skips
 * the parse, the relocation dry run and the text load. A program reads its file through a
 * view (plate_view_open) that it holds for its whole life: a file of the boot image in place,
 * a file written at run time as a copy, so rewriting the file never changes a program, and a
 * program is found again only by the content version it was made from. */
#include "kernel/proc/program.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/file.h"
#include "kernel/fs/path.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vregion.h"
#include "kernel/res/reuse.h"

struct program {
	struct res_hdr hdr;
	rid_t plate;
	struct plate_view file;            /* file.version: the content it was made from */
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
	plate_view_close(&p->file);
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

/* A program made from this very content (a plate version names one plate's bytes, never
 * reused): one some process runs now (its text is shared), or one in the reusable-resource
 * table (taken back, a hit), or 0. */
static rid_t find_by_version(uint64_t version)
{
	for (int i = 0; i < NPROGRAM; i++)
		if (programs[i].hdr.rid && programs[i].file.version == version && programs[i].users)
			return programs[i].hdr.rid;
	return reuse_take(RK_PROGRAM, version);
}

/* As execve(2): a regular file with an execute bit, which the caller may use (what
 * access(X_OK) answers, fsproc.c). */
static int check_exec(rid_t plate, const struct cred *cred)
{
	if ((plate_mode(plate) & L_S_IFMT) != L_S_IFREG)
		return -EACCES;
	return plate_permission(plate, PLATE_MAY_EXEC, cred);
}

/* Whether the image could ever be loaded: each segment in one region, a PIE's span in the
 * system-wide range. One that cannot is refused here, while the caller still exists: a change
 * of program finds out only after the old image is gone, and then the process dies. */
static bool loadable(const struct elf_image *img)
{
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		uint64_t lo = s->vaddr & ~0xfffull, hi = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;
		if (hi - lo > VREGION_MAX_SIZE)
			return false;
	}
	return !img->pie || img->hi - img->lo <= UVA_END - UVA_BASE;
}

/* The file's bytes checked as an executable: image and relocation dry run. */
static int parse(const struct plate_view *file, struct elf_image *img, bool *shareable)
{
	int err = elf_parse(file->data, file->size, img);
	if (err)
		return err;
	if (!loadable(img))
		return -ENOMEM;
	/* A fixed-address program must lie below the system-wide range (uva.h): the kernel gives
	 * those addresses out, and a space may hold processes of any program (HVS), so one fixed
	 * inside could collide with what any process gets. Refused, not reserved: reserving would
	 * let only one copy run at a time, and fail for reasons no user can see. */
	if (!img->pie && img->hi > UVA_BASE)
		return -ENOEXEC;
	struct text_check tc = { img, true };
	err = elf_relocate(img, file->data, file->size, img->pie ? TEXT_CHECK_BASE : 0,
			   check_write, &tc);
	*shareable = tc.shareable;
	return err;
}

/* The plate a program path names (a symbolic link runs its target). */
static int plate_of(const char *path, rid_t *plate)
{
	char *canon = pathbuf_get();
	int err = canon ? fs_resolve_global(path, canon) : -ENOMEM;
	if (!err)
		err = plate_lookup_path(canon, plate);
	pathbuf_put(canon);
	return err;
}

int program_open(const char *path, const struct cred *cred, rid_t *out)
{
	rid_t plate, rid;
	int err = plate_of(path, &plate);
	if (err || (err = check_exec(plate, cred)))
		return err;
	if ((rid = find_by_version(plate_version(plate)))) {
		get(rid)->users++;
		*out = rid;
		return 0;
	}
	struct plate_view file;
	struct elf_image img;
	bool shareable;
	if ((err = plate_view_open(plate, PROGRAM_MAX_FILE, &file)))
		return err == -EFBIG ? -ENOMEM : err;
	if ((err = parse(&file, &img, &shareable)))
		goto fail;
	const char *base = strrchr(path, '/');
	if ((err = res_alloc(RT_PROGRAM, base ? base + 1 : path, cred, TMODE_DEFAULT, &rid)))
		goto fail;
	struct program *p = get(rid);
	p->plate = plate;
	p->file = file;
	p->users = 1;
	p->img = img;
	p->share_text = shareable;
	*out = rid;
	return 0;
fail:
	plate_view_close(&file);
	return err;
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
	if (!reuse_put(RK_PROGRAM, rid, p->file.version))
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

rid_t program_plate(rid_t rid)
{
	struct program *p = get(rid);
	return p ? p->plate : 0;
}

int program_file(rid_t rid, const void **data, size_t *size)
{
	struct program *p = get(rid);
	if (!p)
		return -ESTALE;
	*data = p->file.data;
	*size = p->file.size;
	return 0;
}
