/*
 * sqlite_map.c - database files read through one memory map a process
 * (see sqlite_map.h).
 *
 * Every method but xOpen, xClose, xTruncate, xFileControl (the map's size),
 * xFetch and xUnfetch passes to the file SQLite's own VFS opened beneath.
 * The pager sets the map's size with SQLITE_FCNTL_MMAP_SIZE (PRAGMA
 * mmap_size): here any size above 0 turns the map on, whatever the file's
 * size; the file beneath never hears of it, so it never maps itself.
 */
#include "store/sqlite_map.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAP_MIN ((size_t)64 << 20)     /* the smallest map: a new database's grows into it */
#define OLD_MAPS_MAX 48                /* maps outgrown by one file (each twice the last) */

/* One database file's maps, shared by the connections open to it. Every
 * connection of the process to the file counts in users, mapped or not:
 * fd is closed only when none is left, as closing any descriptor of a
 * file drops every POSIX lock the process holds on it (SQLite's own
 * connections' among them, os_unix.c). */
typedef struct file_map {
	dev_t dev;
	ino_t ino;
	int users; /* connections of the process open to it */
	int fd;    /* read-only, for the next map; -1: none could be opened */
	unsigned char *base; /* the newest map, len bytes; NULL: none */
	size_t len;
	/* maps it outgrew: a transaction begun before may still read them */
	void *old[OLD_MAPS_MAX];
	size_t old_len[OLD_MAPS_MAX];
	int n_old;
	struct file_map *next;
} file_map_t;

/* A file opened through this VFS; SQLite's own follows it (REAL_AT). */
typedef struct map_file {
	sqlite3_file base;
	sqlite3_file *real;
	file_map_t *map;           /* NULL: not a database file, or not mapped */
	const unsigned char *view; /* the map its pages are read from */
	sqlite3_int64 view_len;    /* the bytes of view it may read: the file's, as of its last look */
	sqlite3_int64 mmap_size;   /* what the pager asked for (SQLITE_FCNTL_MMAP_SIZE); 0: off */
} map_file_t;

#define REAL_AT ((sizeof(map_file_t) + 15) & ~(size_t)15)

static pthread_mutex_t g_maps_lock = PTHREAD_MUTEX_INITIALIZER;
static file_map_t *g_maps; /* the files open, under g_maps_lock */
static sqlite3_vfs *g_real;
static sqlite3_vfs g_vfs;
static const sqlite3_io_methods g_methods;

/* ---- the maps ---- */

static size_t page_round(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t p = page > 0 ? (size_t)page : 4096;

	return (n + p - 1) / p * p;
}

/* A map of m's file large enough for size bytes and more (twice, so that
 * a growing file is mapped again seldom); the one it replaces kept for
 * the transactions that may read it. Called with g_maps_lock held. A map
 * that cannot be made leaves the older one: pages past it are read. */
static void map_grow(file_map_t *m, size_t size)
{
	size_t len = page_round(size <= MAP_MIN / 2 ? MAP_MIN : size <= SIZE_MAX / 4 ? size * 2 : size);
	void *p;

	if (m->fd < 0 || (m->base && m->n_old == OLD_MAPS_MAX))
		return;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED)
		return;
	if (m->base) {
		m->old[m->n_old] = m->base;
		m->old_len[m->n_old++] = m->len;
	}
	m->base = p;
	m->len = len;
}

/* Unlinks m from g_maps and frees it with its maps (g_maps_lock held):
 * the last connection to its file is closed. */
static void map_free(file_map_t *m)
{
	for (file_map_t **p = &g_maps; *p; p = &(*p)->next)
		if (*p == m) {
			*p = m->next;
			break;
		}
	if (m->base)
		munmap(m->base, m->len);
	for (int i = 0; i < m->n_old; i++)
		munmap(m->old[i], m->old_len[i]);
	if (m->fd >= 0)
		close(m->fd);
	free(m);
}

/* A new entry for the file at path, whose identity is st, with a map of
 * it when one can be made, into *out (g_maps_lock held): SQLITE_OK,
 * SQLITE_NOMEM, or SQLITE_CANTOPEN when path is no longer that file. */
static int map_new(const char *path, const struct stat *st, file_map_t **out)
{
	file_map_t *m = calloc(1, sizeof(*m));
	struct stat fst;

	*out = NULL;
	if (!m)
		return SQLITE_NOMEM;
	m->dev = st->st_dev;
	m->ino = st->st_ino;
	m->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (m->fd >= 0 && (fstat(m->fd, &fst) != 0 || fst.st_dev != st->st_dev || fst.st_ino != st->st_ino)) {
		/* the path was given another file between the two looks. Its
		 * descriptor is left open on purpose: closing it would drop
		 * the locks of any connection of this process to that file. */
		free(m);
		return SQLITE_CANTOPEN;
	}
	if (m->fd >= 0)
		map_grow(m, (size_t)st->st_size);
	m->next = g_maps;
	g_maps = m;
	*out = m;
	return SQLITE_OK;
}

/* Counts f in its file's entry, made (and the file mapped) by the first
 * connection to it: SQLITE_OK, or SQLITE_NOMEM, or SQLITE_CANTOPEN when
 * the path names another file by now; nothing counted then. The
 * descriptor a map is made from is opened once, by the first connection,
 * and closed with the last: closing any descriptor of a file drops every
 * POSIX lock the process holds on it. A file that cannot be opened again
 * or mapped is read as SQLite reads it. */
static int map_attach(map_file_t *f, const char *path)
{
	file_map_t *m;
	struct stat st;
	int rc = SQLITE_OK;

	pthread_mutex_lock(&g_maps_lock);
	if (stat(path, &st) != 0) {
		pthread_mutex_unlock(&g_maps_lock);
		return SQLITE_CANTOPEN;
	}
	for (m = g_maps; m && !(m->dev == st.st_dev && m->ino == st.st_ino); m = m->next)
		;
	if (!m)
		rc = map_new(path, &st, &m);
	if (m) {
		m->users++;
		f->map = m;
	}
	pthread_mutex_unlock(&g_maps_lock);
	return rc;
}

static void map_detach(map_file_t *f)
{
	if (!f->map)
		return;
	pthread_mutex_lock(&g_maps_lock);
	if (--f->map->users == 0)
		map_free(f->map);
	pthread_mutex_unlock(&g_maps_lock);
	f->map = NULL;
	f->view = NULL;
	f->view_len = 0;
}

/* f looks at its file again (its size, and the newest map): at open, when
 * the map is turned on, after its own checkpoint, and whenever the pager
 * lets every page of the map go (a transaction that sees another's
 * commit). Until then it reads what it saw, which no live snapshot's page
 * lies past (sqlite_map.h). */
static void map_look(map_file_t *f)
{
	sqlite3_int64 size = 0;

	f->view = NULL;
	f->view_len = 0;
	if (!f->map || f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK || size <= 0)
		return; /* nothing to map, or its size unknown: read */
	pthread_mutex_lock(&g_maps_lock);
	if ((uint64_t)size > f->map->len)
		map_grow(f->map, (size_t)size);
	f->view = f->map->base;
	f->view_len = (uint64_t)size < f->map->len ? size : (sqlite3_int64)f->map->len;
	pthread_mutex_unlock(&g_maps_lock);
}

/* ---- the file's methods ---- */

#define REAL(file) (((map_file_t *)(file))->real)

static int m_close(sqlite3_file *file)
{
	int rc = REAL(file)->pMethods->xClose(REAL(file));

	map_detach((map_file_t *)file);
	return rc;
}

static int m_read(sqlite3_file *file, void *buf, int n, sqlite3_int64 off)
{
	return REAL(file)->pMethods->xRead(REAL(file), buf, n, off);
}

static int m_write(sqlite3_file *file, const void *buf, int n, sqlite3_int64 off)
{
	return REAL(file)->pMethods->xWrite(REAL(file), buf, n, off);
}

/* What was cut off is no longer read from the map. */
static int m_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	map_file_t *f = (map_file_t *)file;

	if (f->view_len > size)
		f->view_len = size > 0 ? size : 0;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int m_sync(sqlite3_file *file, int flags)
{
	return REAL(file)->pMethods->xSync(REAL(file), flags);
}

static int m_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	return REAL(file)->pMethods->xFileSize(REAL(file), size);
}

static int m_lock(sqlite3_file *file, int level)
{
	return REAL(file)->pMethods->xLock(REAL(file), level);
}

static int m_unlock(sqlite3_file *file, int level)
{
	return REAL(file)->pMethods->xUnlock(REAL(file), level);
}

static int m_check_reserved(sqlite3_file *file, int *out)
{
	return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int m_file_control(sqlite3_file *file, int op, void *arg)
{
	map_file_t *f = (map_file_t *)file;

	int rc;

	if (op == SQLITE_FCNTL_MMAP_SIZE) {
		sqlite3_int64 *want = arg, was = f->mmap_size;
		if (*want >= 0)
			f->mmap_size = *want;
		*want = was;
		if (f->mmap_size > 0 && was == 0)
			map_look(f);
		return SQLITE_OK;
	}
	rc = f->real->pMethods->xFileControl(f->real, op, arg);
	/* its own checkpoint may have grown the file: no commit of another
	 * tells it so (a look is safe at any time: a live snapshot's pages
	 * never lie past the file's end) */
	if (op == SQLITE_FCNTL_CKPT_DONE)
		map_look(f);
	return rc;
}

static int m_sector_size(sqlite3_file *file)
{
	return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int m_device_characteristics(sqlite3_file *file)
{
	return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int m_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
	return REAL(file)->pMethods->xShmMap(REAL(file), region, size, extend, out);
}

static int m_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	return REAL(file)->pMethods->xShmLock(REAL(file), offset, n, flags);
}

static void m_shm_barrier(sqlite3_file *file)
{
	REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int m_shm_unmap(sqlite3_file *file, int delete_flag)
{
	return REAL(file)->pMethods->xShmUnmap(REAL(file), delete_flag);
}

/* A page the file holds, as of the connection's last look, from the map;
 * else none (*out NULL), and the pager reads it. */
static int m_fetch(sqlite3_file *file, sqlite3_int64 off, int n, void **out)
{
	map_file_t *f = (map_file_t *)file;

	*out = NULL;
	if (f->view && f->mmap_size > 0 && off >= 0 && n > 0 && off + n <= f->view_len)
		*out = (void *)(uintptr_t)(f->view + off); /* read-only (PROT_READ): the pager never writes it */
	return SQLITE_OK;
}

/* A page let go is nothing to undo; the whole file let go (page NULL) is
 * the pager's sign that the file may have changed: look again. */
static int m_unfetch(sqlite3_file *file, sqlite3_int64 off, void *page)
{
	(void)off;
	if (!page)
		map_look((map_file_t *)file);
	return SQLITE_OK;
}

static const sqlite3_io_methods g_methods = {
	.iVersion = 3,
	.xClose = m_close,
	.xRead = m_read,
	.xWrite = m_write,
	.xTruncate = m_truncate,
	.xSync = m_sync,
	.xFileSize = m_file_size,
	.xLock = m_lock,
	.xUnlock = m_unlock,
	.xCheckReservedLock = m_check_reserved,
	.xFileControl = m_file_control,
	.xSectorSize = m_sector_size,
	.xDeviceCharacteristics = m_device_characteristics,
	.xShmMap = m_shm_map,
	.xShmLock = m_shm_lock,
	.xShmBarrier = m_shm_barrier,
	.xShmUnmap = m_shm_unmap,
	.xFetch = m_fetch,
	.xUnfetch = m_unfetch,
};

/* ---- the VFS ---- */

static int m_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	map_file_t *f = (map_file_t *)file;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)((char *)file + REAL_AT);
	rc = g_real->xOpen(g_real, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK || !f->real->pMethods) {
		file->pMethods = NULL;
		return rc;
	}
	if (f->real->pMethods->iVersion < 3) {
		/* SQLite's unix files are all of version 3; another has no
		 * place here */
		f->real->pMethods->xClose(f->real);
		file->pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	file->pMethods = &g_methods;
	if (!(flags & SQLITE_OPEN_MAIN_DB) || !name)
		return SQLITE_OK;
	rc = map_attach(f, name);
	if (rc == SQLITE_OK) {
		int moved = 0;
		/* the file SQLite opened is still the one at name, so the one
		 * mapped and counted (SQLite's own check, by inode) */
		rc = f->real->pMethods->xFileControl(f->real, SQLITE_FCNTL_HAS_MOVED, &moved);
		if (rc == SQLITE_OK && moved)
			rc = SQLITE_CANTOPEN;
	}
	if (rc != SQLITE_OK) {
		m_close(file);
		file->pMethods = NULL;
		return rc;
	}
	map_look(f);
	return SQLITE_OK;
}

int sqlite_map_register(void)
{
	g_real = sqlite3_vfs_find("unix");
	if (!g_real || g_real->iVersion < 1)
		return SQLITE_ERROR;
	/* the rest of SQLite's own VFS as it is: its methods read nothing of
	 * the VFS they are given but pAppData, copied with them */
	g_vfs = *g_real;
	g_vfs.pNext = NULL;
	g_vfs.szOsFile = (int)REAL_AT + g_real->szOsFile;
	g_vfs.zName = SQLITE_MAP_VFS;
	g_vfs.xOpen = m_open;
	return sqlite3_vfs_register(&g_vfs, 0);
}

bool sqlite_map_wanted(void)
{
	const char *v = getenv("UNIONBASE_SQLITE_MAP");

	/* a 32-bit process has no room to map a country's file */
	return sizeof(size_t) >= 8 && (!v || strcmp(v, "off") != 0);
}
