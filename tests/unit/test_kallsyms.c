// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the kallsyms loader (bench/kallsyms.c) on a small fake
 * /proc/kallsyms: module symbols left out, symbols sorted by address, the
 * clone rule (a function is itself and its .isra/.constprop/.part/.llvm/.cold
 * symbols; its entry is itself, else its first clone that is not .cold), the
 * end of a function's code, hidden addresses, a missing file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kallsyms.h"

static const char fake[] =
	"ffffffff81000300 T anon_vma_clone\n"
	"ffffffff81000100 T vm_area_alloc\n"
	"ffffffff81000200 t vm_area_dup.isra.0\n"
	"ffffffff81000280 t vm_area_dup.cold\n"
	"ffffffff81000400 t try_to_unmap.cold\n"
	"ffffffff81000500 t try_to_unmap.constprop.0\n"
	"ffffffff81000600 T try_to_unmapper\n"
	"ffffffff81000600 T try_to_unmapper_alias\n"
	"ffffffff81000700 t rmap_walk_anon.part.0\n"
	"ffffffff81000800 t folio_referenced.llvm.1234\n"
	"ffffffff81000900 T _etext\n"
	"ffffffffc0000000 t anon_vma_fork\t[some_module]\n"
	"ffffffffc0000100 t zram_add\t[zram]\n";

static char *write_fake(const char *text)
{
	char *path = strdup("/tmp/rmapbench-kallsyms.XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void load(struct ksyms *ks, const char *text)
{
	char *path = write_fake(text);

	assert_int_equal(ksyms_load(ks, path), 0);
	unlink(path);
	free(path);
}

static void test_load(void **state)
{
	struct ksyms ks;

	(void)state;
	load(&ks, fake);
	assert_int_equal(ks.err, 0);
	assert_int_equal(ks.lines, 13);
	assert_true(ks.addrs);
	assert_int_equal(ks.nr, 11);	/* the two module symbols left out */
	for (size_t i = 1; i < ks.nr; i++)
		assert_true(ks.syms[i - 1].addr <= ks.syms[i].addr);
	assert_string_equal(ks.syms[0].name, "vm_area_alloc");
	/* equal addresses keep the file's order */
	assert_string_equal(ks.syms[6].name, "try_to_unmapper");
	assert_string_equal(ks.syms[7].name, "try_to_unmapper_alias");
	ksyms_free(&ks);
}

static void test_clone_rule(void **state)
{
	(void)state;
	assert_true(ksym_of("vm_area_dup", "vm_area_dup"));
	assert_true(ksym_of("vm_area_dup.isra.0", "vm_area_dup"));
	assert_true(ksym_of("vm_area_dup.constprop.3", "vm_area_dup"));
	assert_true(ksym_of("vm_area_dup.part.1", "vm_area_dup"));
	assert_true(ksym_of("vm_area_dup.cold", "vm_area_dup"));
	assert_true(ksym_of("vm_area_dup.llvm.99", "vm_area_dup"));
	assert_false(ksym_of("vm_area_duplicate", "vm_area_dup"));
	assert_false(ksym_of("vm_area_du", "vm_area_dup"));
	assert_false(ksym_of("__vm_area_dup", "vm_area_dup"));
}

static void test_find(void **state)
{
	const struct ksym *s;
	struct ksyms ks;

	(void)state;
	load(&ks, fake);
	s = ksyms_find(&ks, "anon_vma_clone");	/* exact */
	assert_non_null(s);
	assert_string_equal(s->name, "anon_vma_clone");
	s = ksyms_find(&ks, "vm_area_dup");	/* a clone, not the .cold part */
	assert_non_null(s);
	assert_string_equal(s->name, "vm_area_dup.isra.0");
	s = ksyms_find(&ks, "try_to_unmap");	/* .cold first in the file, skipped */
	assert_non_null(s);
	assert_string_equal(s->name, "try_to_unmap.constprop.0");
	assert_string_equal(ksyms_find(&ks, "rmap_walk_anon")->name, "rmap_walk_anon.part.0");
	assert_string_equal(ksyms_find(&ks, "folio_referenced")->name,
			    "folio_referenced.llvm.1234");
	assert_null(ksyms_find(&ks, "anon_vma_fork"));	/* only in a module */
	assert_null(ksyms_find(&ks, "try_to_migrate"));
	ksyms_free(&ks);
}

static void test_end(void **state)
{
	const struct ksym *s;
	struct ksyms ks;

	(void)state;
	load(&ks, fake);
	s = ksyms_find(&ks, "vm_area_alloc");
	assert_true(ksyms_end(&ks, s) == 0xffffffff81000200ull);
	/* an alias at the same address: the end is the next higher address */
	s = ksyms_find(&ks, "try_to_unmapper");
	assert_true(ksyms_end(&ks, s) == 0xffffffff81000700ull);
	s = ksyms_find(&ks, "_etext");
	assert_true(ksyms_end(&ks, s) == 0);	/* the last: no end known */
	ksyms_free(&ks);
}

static void test_hidden_and_missing(void **state)
{
	struct ksyms ks;

	(void)state;
	load(&ks, "0000000000000000 T vm_area_alloc\n0000000000000000 T vm_area_dup\n");
	assert_false(ks.addrs);
	assert_int_equal(ks.nr, 2);
	assert_non_null(ksyms_find(&ks, "vm_area_dup"));	/* names still usable */
	ksyms_free(&ks);

	load(&ks, "");
	assert_int_equal(ks.lines, 0);
	assert_int_equal(ks.nr, 0);
	assert_null(ksyms_find(&ks, "vm_area_dup"));
	ksyms_free(&ks);

	assert_int_equal(ksyms_load(&ks, "/nonexistent/kallsyms"), -ENOENT);
	assert_int_equal(ks.err, -ENOENT);
	assert_int_equal(ks.nr, 0);
	ksyms_free(&ks);
}

static void test_proc_once(void **state)
{
	(void)state;
	/* the same object every call: the file is read once */
	assert_ptr_equal(ksyms_get(), ksyms_get());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_clone_rule),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_end),
		cmocka_unit_test(test_hidden_and_missing),
		cmocka_unit_test(test_proc_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
