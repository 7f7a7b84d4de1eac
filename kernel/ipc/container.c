/* The container table (see container.h). */
#include "kernel/ipc/container.h"
#include "abi/errno.h"
#include "kernel/ipc/cbox.h"
#include "kernel/lib/kprintf.h"

struct container {
	struct res_hdr hdr;
	rid_t box;               /* the box it is queued in */
	rid_t next;              /* the container queued after it, 0 for the last */
	struct cdata data;
};

static struct container containers[NCONTAINER];
static struct res_table container_table;

static struct container *get(rid_t rid)
{
	struct container *c = res_obj(rid, RT_CONTAINER);
	assert(c);
	return c;
}

static void describe(rid_t rid, struct t_res_info *info)
{
	struct container *c = get(rid);
	info->v[0] = c->data.size;
	res_add_ref(info, "box", c->box);
}

/* Deleting a queued container withdraws the message from its box before anyone gets it. */
static int destroy(rid_t rid)
{
	cbox_withdraw(get(rid)->box, rid);
	return 0;
}

static const struct res_ops container_ops = { .describe = describe, .destroy = destroy };

void container_init(void)
{
	container_table = (struct res_table){ .base = containers,
					      .stride = sizeof(struct container),
					      .capacity = NCONTAINER, .ops = &container_ops };
	res_register(RT_CONTAINER, &container_table);
}

int container_create(rid_t box, const struct cred *sender, struct cdata *data, rid_t *out)
{
	rid_t rid;
	int err = res_alloc(RT_CONTAINER, "", sender, TMODE(TOP_ALL, TOP_REFER, TOP_REFER), &rid);
	if (err)
		return err;
	struct container *c = get(rid);
	c->box = box;
	c->data = *data;
	*data = (struct cdata){ 0 };
	*out = rid;
	return 0;
}

void container_free(rid_t rid)
{
	cdata_free(&get(rid)->data);
	res_free(rid);
}

uint32_t container_size(rid_t rid)
{
	return get(rid)->data.size;
}

rid_t container_next(rid_t rid)
{
	return get(rid)->next;
}

void container_set_next(rid_t rid, rid_t next)
{
	get(rid)->next = next;
}

int container_to_user(rid_t rid, void *ubuf)
{
	return cdata_to_user(&get(rid)->data, ubuf);
}
