/* SPDX-License-Identifier: MIT */
/*
 * The build-time seccomp programs (vmm/host/sandbox_filter.c) enforce exactly what libseccomp
 * compiles from the policy (vmm/host/sandbox_policy.c) for the same VM, as sandbox.c did at
 * every start before issue 17:
 *  - with descriptors opened in the usual order (control socket, VM, vCPUs), every one of the
 *    256 variants is the very program libseccomp makes for the real descriptors, instruction for
 *    instruction;
 *  - in any other order the comparisons come in another order, so the programs differ: then both
 *    are run by a small classic-BPF interpreter over inputs made from every constant either
 *    program tests (each syscall number below 512 and each argument value with its neighbours,
 *    alone and in pairs), and must give the same action for every input.
 * The interpreter is held to the kernel's meaning by known decisions (KVM_RUN allowed on a vCPU
 * fd, trapped on the VM fd, ...), and a program given a wrong descriptor must be caught.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "host/sandbox_filter.h"
#include "host/sandbox_policy.h"
#include "test_check_main.h"

/* ---- a classic BPF interpreter (the seccomp subset: no packet, no scratch memory) ---- */

/* What the interpreter cannot run: no action of the kernel's has these bits. Check's asserts
 * are kept out of the loop, where their bookkeeping (a write each) would cost minutes. */
#define BPF_UNKNOWN_OPCODE 0x0badc0deu
#define BPF_BAD_LOAD	   0x0badd00du
#define BPF_RAN_PAST_END   0x0bade0f0u

/* The action the program returns for d. */
static uint32_t bpf_run(const struct sock_filter *p, size_t len, const struct seccomp_data *d)
{
	uint32_t a = 0;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &p[pc];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k % 4 || f->k >= sizeof *d)
				return BPF_BAD_LOAD;
			memcpy(&a, (const char *)d + f->k, 4);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & f->k) ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return BPF_UNKNOWN_OPCODE;
		}
	}
	return BPF_RAN_PAST_END;
}

static bool bpf_ran(uint32_t action)
{
	return action != BPF_UNKNOWN_OPCODE && action != BPF_BAD_LOAD && action != BPF_RAN_PAST_END;
}

/* ---- inputs from the programs' constants ---- */

#define WORDS	   (sizeof(struct seccomp_data) / 4)
#define MAX_VALUES 256

/* The values worth trying in each 32-bit word of seccomp_data: 0, and each constant a program
 * tests that word against, with the neighbours that land on the other side of the test. */
struct value_pool {
	uint32_t values[WORDS][MAX_VALUES];
	unsigned count[WORDS];
};

static void pool_add(struct value_pool *pool, unsigned word, uint32_t v)
{
	for (unsigned i = 0; i < pool->count[word]; i++)
		if (pool->values[word][i] == v)
			return;
	ck_assert_uint_lt(pool->count[word], MAX_VALUES);
	pool->values[word][pool->count[word]++] = v;
}

/* Which word a test looks at is taken from the last load before it in program order: libseccomp
 * loads right before it compares. A wrong guess only makes the inputs less pointed. */
static void pool_collect(struct value_pool *pool, const struct sock_filter *p, size_t len)
{
	unsigned word = 0;
	uint32_t mask = 0xffffffff;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &p[pc];
		if (f->code == (BPF_LD | BPF_W | BPF_ABS) && f->k / 4 < WORDS) {
			word = f->k / 4;
			mask = 0xffffffff;
		} else if (f->code == (BPF_ALU | BPF_AND | BPF_K)) {
			mask = f->k;
		} else if (f->code == (BPF_JMP | BPF_JEQ | BPF_K)) {
			pool_add(pool, word, f->k);
			pool_add(pool, word, f->k ^ (mask & -mask)); /* one tested bit off */
		} else if (f->code == (BPF_JMP | BPF_JGT | BPF_K) ||
			   f->code == (BPF_JMP | BPF_JGE | BPF_K)) {
			pool_add(pool, word, f->k - 1);
			pool_add(pool, word, f->k);
			pool_add(pool, word, f->k + 1);
		} else if (f->code == (BPF_JMP | BPF_JSET | BPF_K)) {
			pool_add(pool, word, f->k);
		}
	}
}

struct comparison {
	const struct sock_filter *ours, *theirs;
	size_t ours_len, theirs_len;
	unsigned long inputs, differences, not_run;
	struct seccomp_data first_difference;
};

static void compare_one(struct comparison *c, const struct seccomp_data *d)
{
	uint32_t ours = bpf_run(c->ours, c->ours_len, d);
	uint32_t theirs = bpf_run(c->theirs, c->theirs_len, d);
	c->inputs++;
	c->not_run += !bpf_ran(ours) || !bpf_ran(theirs);
	if (ours != theirs && c->differences++ == 0)
		c->first_difference = *d;
}

static void set_word(struct seccomp_data *d, unsigned word, uint32_t v)
{
	memcpy((char *)d + 4 * word, &v, 4);
}

#define ARG_LOW(i) ((offsetof(struct seccomp_data, args) / 4) + 2 * (i))

/* Every syscall number below 512 with zero arguments; then, for each number the programs test,
 * every argument word over its pool alone, and every two arguments' low words together (the
 * policy's rules test at most two arguments). Under each architecture value the programs test. */
static void compare_programs(struct comparison *c, const struct value_pool *pool)
{
	const unsigned nr_word = 0, arch_word = offsetof(struct seccomp_data, arch) / 4;
	for (unsigned ai = 0; ai < pool->count[arch_word]; ai++) {
		struct seccomp_data d = {.arch = pool->values[arch_word][ai]};
		for (uint32_t nr = 0; nr < 512; nr++) {
			d.nr = (int)nr;
			compare_one(c, &d);
		}
		for (unsigned ni = 0; ni < pool->count[nr_word]; ni++) {
			d.nr = (int)pool->values[nr_word][ni];
			memset(d.args, 0, sizeof d.args);
			for (unsigned w = ARG_LOW(0); w < WORDS; w++)
				for (unsigned vi = 0; vi < pool->count[w]; vi++) {
					set_word(&d, w, pool->values[w][vi]);
					compare_one(c, &d);
					set_word(&d, w, 0);
				}
			for (unsigned i = 0; i < 6; i++)
				for (unsigned j = i + 1; j < 6; j++)
					for (unsigned vi = 0; vi < pool->count[ARG_LOW(i)]; vi++)
						for (unsigned vj = 0; vj < pool->count[ARG_LOW(j)];
						     vj++) {
							set_word(&d, ARG_LOW(i),
								 pool->values[ARG_LOW(i)][vi]);
							set_word(&d, ARG_LOW(j),
								 pool->values[ARG_LOW(j)][vj]);
							compare_one(c, &d);
							d.args[i] = d.args[j] = 0;
						}
		}
	}
}

/* ---- shapes ---- */

/* A shape with descriptors placed by the layout: first + step * role (roles absent: -1). */
static struct sandbox_shape shape_of(unsigned options, unsigned vcpus, int first, int step)
{
	struct sandbox_shape probe = {.options = options, .vcpu_count = vcpus};
	return sandbox_shape_made_up(sandbox_variant(&probe), first, step);
}

static struct sock_filter *ours_for(const struct sandbox_shape *s, size_t *len)
{
	struct sock_filter *insns = malloc(sandbox_filter_max_len() * sizeof *insns);
	ck_assert_ptr_nonnull(insns);
	ck_assert_int_eq(sandbox_filter_for(s, insns, len), 0);
	return insns;
}

static struct sock_filter *libseccomps_for(const struct sandbox_shape *s, size_t *len)
{
	struct sock_filter *insns;
	ck_assert_int_eq(sandbox_policy_compile(s, &insns, len), 0);
	return insns;
}

/* Runs both programs for shape ours_shape / their_shape over the pooled inputs. */
static struct comparison compare_shapes(const struct sandbox_shape *ours_shape,
					const struct sandbox_shape *their_shape)
{
	struct comparison c = {0};
	struct sock_filter *ours = ours_for(ours_shape, &c.ours_len);
	struct sock_filter *theirs = libseccomps_for(their_shape, &c.theirs_len);
	c.ours = ours;
	c.theirs = theirs;
	static struct value_pool pool;
	memset(&pool, 0, sizeof pool);
	for (unsigned w = 0; w < WORDS; w++)
		pool_add(&pool, w, 0);
	pool_collect(&pool, ours, c.ours_len);
	pool_collect(&pool, theirs, c.theirs_len);
	compare_programs(&c, &pool);
	free(ours);
	free(theirs);
	return c;
}

/* ---- the tests ---- */

/* The usual order (control socket 3, VM 5, vCPUs 7, 9, ...: ascending, not consecutive). */
START_TEST(test_same_program_as_libseccomp)
{
	for (unsigned vcpus = 1; vcpus <= SANDBOX_MAX_VCPUS; vcpus++)
		for (unsigned options = 0; options < SANDBOX_OPTION_SETS; options++) {
			struct sandbox_shape s = shape_of(options, vcpus, 3, 2);
			size_t ours_len, theirs_len;
			struct sock_filter *ours = ours_for(&s, &ours_len);
			struct sock_filter *theirs = libseccomps_for(&s, &theirs_len);
			ck_assert_msg(ours_len == theirs_len &&
					  !memcmp(ours, theirs, ours_len * sizeof *ours),
				      "options 0x%x, %u vCPUs: not libseccomp's program", options,
				      vcpus);
			free(ours);
			free(theirs);
		}
}
END_TEST

/* Descending descriptors (control socket 60, VM 57, vCPUs 54, 51, ...), one option set per
 * loop iteration, 1, 2 and 8 vCPUs. */
START_TEST(test_same_decisions_in_another_order)
{
	unsigned options = (unsigned)_i;
	const unsigned counts[] = {1, 2, SANDBOX_MAX_VCPUS};
	for (unsigned k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		struct sandbox_shape s = shape_of(options, counts[k], 60, -3);
		struct comparison c = compare_shapes(&s, &s);
		ck_assert_uint_gt(c.inputs, 10000);
		ck_assert_uint_eq(c.not_run, 0);
		ck_assert_msg(c.differences == 0,
			      "options 0x%x, %u vCPUs: %lu of %lu inputs decided differently, "
			      "first: nr %d args 0x%llx 0x%llx 0x%llx",
			      options, counts[k], c.differences, c.inputs, c.first_difference.nr,
			      (unsigned long long)c.first_difference.args[0],
			      (unsigned long long)c.first_difference.args[1],
			      (unsigned long long)c.first_difference.args[2]);
	}
}
END_TEST

/* The comparison can fail: a program given a wrong vCPU descriptor decides differently. */
START_TEST(test_wrong_descriptor_is_caught)
{
	struct sandbox_shape right = shape_of(SANDBOX_SNAPSHOT, 2, 3, 2);
	struct sandbox_shape wrong = right;
	wrong.fds[SANDBOX_FD_VCPU0 + 1] = 42;
	struct comparison c = compare_shapes(&wrong, &right);
	ck_assert_uint_gt(c.differences, 0);
}
END_TEST

static uint32_t decide(const struct sock_filter *p, size_t len, int nr, uint64_t a0, uint64_t a1,
		       uint64_t a2)
{
	struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64, .args = {a0, a1, a2}};
	return bpf_run(p, len, &d);
}

/* The interpreter means what the kernel means: known decisions of both programs. */
START_TEST(test_known_decisions)
{
	struct sandbox_shape s = shape_of(0, 2, 3, 2);
	int vm = s.fds[SANDBOX_FD_VM], vcpu1 = s.fds[SANDBOX_FD_VCPU0 + 1];
	size_t lens[2];
	struct sock_filter *programs[2] = {ours_for(&s, &lens[0]), libseccomps_for(&s, &lens[1])};
	for (unsigned i = 0; i < 2; i++) {
		const struct sock_filter *p = programs[i];
		size_t n = lens[i];
		ck_assert_uint_eq(decide(p, n, SYS_ioctl, vcpu1, KVM_RUN, 0), SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(decide(p, n, SYS_ioctl, vcpu1 | 1ULL << 32, KVM_RUN, 0),
				  SECCOMP_RET_TRAP);
		ck_assert_uint_eq(decide(p, n, SYS_ioctl, vm, KVM_RUN, 0), SECCOMP_RET_TRAP);
		ck_assert_uint_eq(decide(p, n, SYS_ioctl, vm, KVM_IRQ_LINE, 0), SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(decide(p, n, SYS_ioctl, 99, KVM_IRQ_LINE, 0), SECCOMP_RET_TRAP);
		ck_assert_uint_eq(decide(p, n, SYS_write, 1, 0, 0), SECCOMP_RET_ALLOW);
		ck_assert_uint_eq(decide(p, n, SYS_openat, AT_FDCWD, 0, O_RDONLY),
				  SECCOMP_RET_TRAP);
		ck_assert_uint_eq(decide(p, n, SYS_execve, 0, 0, 0), SECCOMP_RET_TRAP);
		ck_assert_uint_eq(decide(p, n, SYS_clone3, 0, 0, 0), SECCOMP_RET_ERRNO | ENOSYS);
		ck_assert_uint_eq(decide(p, n, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC),
				  SECCOMP_RET_TRAP);
		struct seccomp_data i386 = {.nr = SYS_write, .arch = AUDIT_ARCH_I386};
		ck_assert_uint_ne(bpf_run(p, n, &i386), SECCOMP_RET_ALLOW);
		free(programs[i]);
	}
}
END_TEST

/* A shape no program fits is refused, as is a program missing a descriptor it tests. */
START_TEST(test_unfit_shapes_refused)
{
	struct sock_filter *insns = malloc(sandbox_filter_max_len() * sizeof *insns);
	ck_assert_ptr_nonnull(insns);
	size_t len;
	struct sandbox_shape s = shape_of(0, 1, 3, 2);
	s.vcpu_count = 0;
	ck_assert_int_eq(sandbox_filter_for(&s, insns, &len), -EINVAL);
	s.vcpu_count = SANDBOX_MAX_VCPUS + 1;
	ck_assert_int_eq(sandbox_filter_for(&s, insns, &len), -EINVAL);
	s = shape_of(0, 1, 3, 2);
	s.fds[SANDBOX_FD_VM] = -1;
	ck_assert_int_eq(sandbox_filter_for(&s, insns, &len), -EINVAL);
	free(insns);
}
END_TEST

static Suite *sandbox_filter_suite(void)
{
	Suite *suite = suite_create("sandbox_filter");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120); /* slow only under ASan on a loaded host */
	tcase_add_test(tc, test_same_program_as_libseccomp);
	tcase_add_loop_test(tc, test_same_decisions_in_another_order, 0, SANDBOX_OPTION_SETS);
	tcase_add_test(tc, test_wrong_descriptor_is_caught);
	tcase_add_test(tc, test_known_decisions);
	tcase_add_test(tc, test_unfit_shapes_refused);
	suite_add_tcase(suite, tc);
	return suite;
}

CHECK_MAIN(sandbox_filter_suite)
