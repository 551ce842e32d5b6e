/* SPDX-License-Identifier: MIT */
#include "trace/kvm_stats.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int read_exact(int fd, void *buf, size_t len, uint64_t offset)
{
	ssize_t got = pread(fd, buf, len, (off_t)offset);
	if (got < 0)
		return -errno;
	return (size_t)got == len ? 0 : -EIO;
}

int kvm_stats_open(struct kvm_stats *stats, int vm_or_vcpu_fd)
{
	memset(stats, 0, sizeof *stats);
	stats->fd = ioctl(vm_or_vcpu_fd, KVM_GET_STATS_FD, NULL);
	if (stats->fd < 0) {
		stats->fd = -1;
		return -errno;
	}
	struct kvm_stats_header header;
	int ret = read_exact(stats->fd, &header, sizeof header, 0);
	if (ret)
		goto fail;
	/* Each descriptor is a struct kvm_stats_desc followed by a name of name_size bytes. */
	size_t desc_size = sizeof(struct kvm_stats_desc) + header.name_size;
	if (header.name_size == 0 || header.num_desc > 4096) {
		ret = -EPROTO;
		goto fail;
	}
	uint8_t *descs = malloc(desc_size * header.num_desc);
	stats->counters = calloc(header.num_desc, sizeof *stats->counters);
	if (!descs || !stats->counters) {
		free(descs);
		ret = -ENOMEM;
		goto fail;
	}
	ret = read_exact(stats->fd, descs, desc_size * header.num_desc, header.desc_offset);
	for (uint32_t i = 0; !ret && i < header.num_desc; i++) {
		const struct kvm_stats_desc *d = (const void *)(descs + i * desc_size);
		struct kvm_stat_counter *c = &stats->counters[stats->count++];
		size_t name_len = strnlen(d->name, header.name_size);
		if (name_len >= sizeof c->name)
			name_len = sizeof c->name - 1;
		memcpy(c->name, d->name, name_len);
		c->name[name_len] = '\0';
		c->offset = d->offset;
		c->flags = d->flags;
	}
	free(descs);
	if (ret)
		goto fail;
	stats->data_offset = header.data_offset;
	return 0;
fail:
	kvm_stats_close(stats);
	return ret;
}

void kvm_stats_close(struct kvm_stats *stats)
{
	if (stats->fd >= 0)
		close(stats->fd);
	free(stats->counters);
	memset(stats, 0, sizeof *stats);
	stats->fd = -1;
}

int kvm_stats_find(const struct kvm_stats *stats, const char *name)
{
	for (size_t i = 0; i < stats->count; i++)
		if (strcmp(stats->counters[i].name, name) == 0)
			return (int)i;
	return -1;
}

int kvm_stats_read(const struct kvm_stats *stats, int index, uint64_t *value)
{
	if (stats->fd < 0 || index < 0 || (size_t)index >= stats->count)
		return -ENOENT;
	return read_exact(stats->fd, value, sizeof *value,
			  stats->data_offset + stats->counters[index].offset);
}

bool kvm_stats_is_event_count(const struct kvm_stat_counter *counter)
{
	return (counter->flags & KVM_STATS_TYPE_MASK) == KVM_STATS_TYPE_CUMULATIVE &&
	       (counter->flags & KVM_STATS_UNIT_MASK) == KVM_STATS_UNIT_NONE;
}
