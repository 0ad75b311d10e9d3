/* The engine's two hot ticket loops in C: Rivest ticket order within a stratum, and the inspector with the
 * smallest ticket among a task's candidates. shuangsuiji/engine/tickets.py defines the tickets; the Python
 * code (sampling._ticket_order, assignment._Draw.first_by_ticket) is the reference and the fallback, and
 * tests/engine/test_native.py holds this module to it.
 *
 * A ticket is SHA-256(sha256hex(seed) || id) written in decimal, zero-padded to at least 64 digits and
 * reversed; tickets compare as digit strings (a shorter one first when it is a prefix of the other), equal
 * tickets by id. Here a ticket is ordered by a 64-bit key, its first 19 digits read as a number (the value
 * mod 10^19, digits reversed), and only on equal keys by its whole digit string, then by the id's UTF-8
 * bytes (the same order as comparing code points), then by position (Python's sorts are stable).
 *
 * SHA-256 is written here (no OpenSSL headers, no third-party code): a portable compression function and,
 * on x86 CPUs with the SHA extensions (cpuid leaf 7, EBX bit 29), one using them, chosen at import.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* --- SHA-256 ------------------------------------------------------------------------------------------- */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H256[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static void compress_portable(uint32_t h[8], const uint8_t *data, size_t blocks)
{
    uint32_t w[64];
    while (blocks--) {
        for (int i = 0; i < 16; i++)
            w[i] = load_be32(data + 4 * i);
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = k + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
            uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
        data += 64;
    }
}

#ifdef HAVE_X86
/* The SHA extensions keep the state as ABEF and CDGH; each sha256rnds2 does two rounds, so a group of four
 * rounds is two of them with the message words (plus constants) of the group. Message groups 4..15 follow
 * W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]: sha256msg1 adds s0, alignr brings W[t-7], sha256msg2
 * adds s1. */
__attribute__((target("sha,sse4.1,ssse3")))
static void compress_shani(uint32_t h[8], const uint8_t *data, size_t blocks)
{
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);
    __m128i state1 = _mm_loadu_si128((const __m128i *)&h[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);          /* CDAB */
    state1 = _mm_shuffle_epi32(state1, 0x1B);    /* EFGH */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);    /* ABEF */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0); /* CDGH */
    while (blocks--) {
        __m128i abef = state0, cdgh = state1;
        __m128i w[4];
#pragma GCC unroll 16
        for (int g = 0; g < 16; g++) {
            __m128i m;
            if (g < 4) {
                m = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)), mask);
            } else {
                m = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
                m = _mm_add_epi32(m, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
                m = _mm_sha256msg2_epu32(m, w[(g + 3) & 3]);
            }
            w[g & 3] = m;
            __m128i wk = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K256[4 * g]));
            state1 = _mm_sha256rnds2_epu32(state1, state0, wk);
            state0 = _mm_sha256rnds2_epu32(state0, state1, _mm_shuffle_epi32(wk, 0x0E));
        }
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
        data += 64;
    }
    tmp = _mm_shuffle_epi32(state0, 0x1B);       /* FEBA */
    state1 = _mm_shuffle_epi32(state1, 0xB1);    /* DCHG */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0); /* DCBA */
    state1 = _mm_alignr_epi8(state1, tmp, 8);    /* ABEF */
    _mm_storeu_si128((__m128i *)&h[0], state0);
    _mm_storeu_si128((__m128i *)&h[4], state1);
}

static int cpu_has_sha(void)
{
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    if (!(c & bit_SSSE3) || !(c & bit_SSE4_1))
        return 0;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 29) & 1;
}
#endif

static void (*compress)(uint32_t h[8], const uint8_t *data, size_t blocks) = compress_portable;

typedef struct {
    void (*compress)(uint32_t h[8], const uint8_t *data, size_t blocks);
    uint32_t h[8];
    uint64_t length;   /* bytes hashed so far */
    size_t used;       /* bytes waiting in buf */
    uint8_t buf[64];
} Sha256;

static void sha_init(Sha256 *s)
{
    s->compress = compress;
    memcpy(s->h, H256, sizeof H256);
    s->length = 0;
    s->used = 0;
}

static void sha_update(Sha256 *s, const uint8_t *data, size_t size)
{
    s->length += size;
    if (s->used) {
        size_t room = 64 - s->used;
        size_t part = size < room ? size : room;
        memcpy(s->buf + s->used, data, part);
        s->used += part;
        data += part;
        size -= part;
        if (s->used < 64)
            return;
        s->compress(s->h, s->buf, 1);
        s->used = 0;
    }
    if (size >= 64) {
        s->compress(s->h, data, size / 64);
        data += size & ~(size_t)63;
        size &= 63;
    }
    memcpy(s->buf, data, size);
    s->used = size;
}

/* Finishes a copy, so that the state can go on serving as a midstate. */
static void sha_final(const Sha256 *state, uint8_t out[32])
{
    Sha256 s = *state;
    uint64_t bits = s.length * 8;
    s.buf[s.used++] = 0x80;
    if (s.used > 56) {
        memset(s.buf + s.used, 0, 64 - s.used);
        s.compress(s.h, s.buf, 1);
        s.used = 0;
    }
    memset(s.buf + s.used, 0, 56 - s.used);
    for (int i = 0; i < 8; i++)
        s.buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    s.compress(s.h, s.buf, 1);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s.h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s.h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s.h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s.h[i];
    }
}

/* The digest of the midstate base followed by tail. Nearly every ticket's tail (an id, or a person's id after
 * the task's) ends within the block the midstate holds the start of, so that block is padded and compressed
 * here directly rather than through a copied state. */
static void sha_tail(const Sha256 *base, const uint8_t *tail, size_t size, uint8_t out[32])
{
    size_t used = base->used + size;
    if (used > 55) {
        Sha256 s = *base;
        sha_update(&s, tail, size);
        sha_final(&s, out);
        return;
    }
    uint8_t block[64];
    uint32_t h[8];
    memcpy(block, base->buf, base->used);
    memcpy(block + base->used, tail, size);
    block[used] = 0x80;
    memset(block + used + 1, 0, 55 - used);
    uint64_t bits = (base->length + size) * 8;
    for (int i = 0; i < 8; i++)
        block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    memcpy(h, base->h, sizeof h);
    base->compress(h, block, 1);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

/* --- tickets ------------------------------------------------------------------------------------------- */

#define KEY_DIGITS 19  /* 10^19 < 2^64 */
static const uint64_t KEY_MODULUS = 10000000000000000000ULL; /* 10^19 < 2^64 */

static uint16_t REV4[10000];
/* REV4[k]: the four digits of k, zero-padded, reversed, as a number; filled at import. */

/* The first 19 digits of the ticket of a digest, as a number: the value mod 10^19, its 19 digits (zero-
 * padded) reversed. Every ticket has at least 64 digits, so these 19 always exist, and comparing keys
 * compares those digits exactly. */
static uint64_t ticket_key(const uint8_t digest[32])
{
    uint64_t r = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t limb = 0;
        for (int j = 0; j < 8; j++)
            limb = (limb << 8) | digest[8 * i + j];
        r = (uint64_t)((((unsigned __int128)r << 64) | limb) % KEY_MODULUS);
    }
    /* reversed four digits at a time (a chain of 19 divisions by 10 was most of the ordering's own time):
     * r's digits from the low end d0 d1 … d18 become d0·10^18 + d1·10^17 + … + d18 */
    uint64_t c0 = r % 10000, c1 = r / 10000 % 10000, c2 = r / 100000000 % 10000;
    uint64_t c3 = r / 1000000000000ULL % 10000, c4 = r / 10000000000000000ULL;  /* c4 < 1000 */
    return REV4[c0] * 1000000000000000ULL + REV4[c1] * 100000000000ULL + REV4[c2] * 10000000ULL
           + REV4[c3] * 1000ULL + REV4[c4] / 10;  /* c4 has three digits: "0abc" reversed, less its 0 */
}

/* The ticket's digit string (64 to 78 digits) into out; returns its length. Digits are made 19 at a time, so
 * out holds five such chunks (95) before the high zeros of the last are dropped. */
static size_t ticket_digits(const uint8_t digest[32], char out[96])
{
    uint64_t limb[4];
    for (int i = 0; i < 4; i++) {
        limb[i] = 0;
        for (int j = 0; j < 8; j++)
            limb[i] = (limb[i] << 8) | digest[8 * i + j];
    }
    size_t n = 0;
    /* 19 digits at a time from the low end: the low digits come first in a ticket */
    while (limb[0] | limb[1] | limb[2] | limb[3]) {
        uint64_t r = 0;
        for (int i = 0; i < 4; i++) {
            unsigned __int128 cur = ((unsigned __int128)r << 64) | limb[i];
            limb[i] = (uint64_t)(cur / KEY_MODULUS);
            r = (uint64_t)(cur % KEY_MODULUS);
        }
        for (int i = 0; i < KEY_DIGITS; i++) {
            out[n++] = (char)('0' + r % 10);
            r /= 10;
        }
    }
    /* the last chunk's high zeros are not digits of the number; padding to 64 puts zeros back */
    while (n > 0 && out[n - 1] == '0')
        n--;
    while (n < 64)
        out[n++] = '0';
    return n;
}

typedef struct {
    uint64_t key;
    Py_ssize_t pos;
} Entry;

typedef struct {
    const uint8_t *digests;    /* 32 bytes per position */
    const char **id;           /* UTF-8 of each id */
    const Py_ssize_t *id_len;
} Tickets;

static int compare_bytes(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c)
        return c;
    return na < nb ? -1 : na > nb;
}

/* Whether a ticket (its key and digest) is smaller than another: equal tickets are not. */
static int ticket_less(uint64_t key, const uint8_t digest[32], uint64_t other_key, const uint8_t other[32])
{
    if (key != other_key)
        return key < other_key;
    if (memcmp(digest, other, 32) == 0)
        return 0;
    char a[96], b[96];
    size_t na = ticket_digits(digest, a), nb = ticket_digits(other, b);
    return compare_bytes(a, na, b, nb) < 0;
}

/* Two positions whose keys are equal: by whole ticket, then id, then position. */
static int compare_tied(const Tickets *t, Py_ssize_t a, Py_ssize_t b)
{
    const uint8_t *da = t->digests + 32 * a, *db = t->digests + 32 * b;
    if (memcmp(da, db, 32) != 0) {
        char ta[96], tb[96];
        size_t na = ticket_digits(da, ta), nb = ticket_digits(db, tb);
        int c = compare_bytes(ta, na, tb, nb);
        if (c)
            return c;
    }
    int c = compare_bytes(t->id[a], (size_t)t->id_len[a], t->id[b], (size_t)t->id_len[b]);
    if (c)
        return c;
    return a < b ? -1 : a > b;
}

/* Stable merge sort by key: equal keys keep their positions' order. */
static void sort_by_key(Entry *items, Entry *scratch, Py_ssize_t n)
{
    if (n < 24) {
        for (Py_ssize_t i = 1; i < n; i++) {
            Entry e = items[i];
            Py_ssize_t j = i;
            while (j > 0 && items[j - 1].key > e.key) {
                items[j] = items[j - 1];
                j--;
            }
            items[j] = e;
        }
        return;
    }
    Py_ssize_t half = n / 2;
    sort_by_key(items, scratch, half);
    sort_by_key(items + half, scratch, n - half);
    if (items[half - 1].key <= items[half].key)
        return;
    memcpy(scratch, items, (size_t)half * sizeof(Entry));
    Py_ssize_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        items[k++] = items[j].key < scratch[i].key ? items[j++] : scratch[i++];
    while (i < half)
        items[k++] = scratch[i++];
}

/* Runs of equal keys (about one pair in 10^19 / n for real hashes) ordered by the whole ticket and id. */
static void order_ties(const Tickets *t, Entry *items, Py_ssize_t n)
{
    Py_ssize_t start = 0;
    while (start < n) {
        Py_ssize_t end = start + 1;
        while (end < n && items[end].key == items[start].key)
            end++;
        for (Py_ssize_t i = start + 1; i < end; i++) {
            Entry e = items[i];
            Py_ssize_t j = i;
            while (j > start && compare_tied(t, items[j - 1].pos, e.pos) > 0) {
                items[j] = items[j - 1];
                j--;
            }
            items[j] = e;
        }
        start = end;
    }
}

static void sift_down(uint64_t *heap, Py_ssize_t size, Py_ssize_t i)
{
    for (;;) {
        Py_ssize_t child = 2 * i + 1;
        if (child >= size)
            return;
        if (child + 1 < size && heap[child + 1] > heap[child])
            child++;
        if (heap[i] >= heap[child])
            return;
        uint64_t swap = heap[i];
        heap[i] = heap[child];
        heap[child] = swap;
        i = child;
    }
}

/* The take-th smallest key (1 <= take <= n), with a max-heap of the take smallest seen. */
static uint64_t kth_smallest_key(const Entry *items, Py_ssize_t n, Py_ssize_t take, uint64_t *heap)
{
    for (Py_ssize_t i = 0; i < take; i++)
        heap[i] = items[i].key;
    for (Py_ssize_t i = take / 2; i-- > 0;)
        sift_down(heap, take, i);
    for (Py_ssize_t i = take; i < n; i++) {
        if (items[i].key < heap[0]) {
            heap[0] = items[i].key;
            sift_down(heap, take, 0);
        }
    }
    return heap[0];
}

/* Positions in ticket order as a new list: all of them (take < 0), or the first take. As the Python does, a
 * few of many (take * 8 < n) are found by bounding the keys with the take-th smallest, and only the
 * positions within the bound are sorted. */
static PyObject *order_list(const Tickets *t, Py_ssize_t n, Py_ssize_t take)
{
    if (take == 0 || n == 0)
        return PyList_New(0);
    Entry *items = PyMem_Malloc((size_t)n * sizeof(Entry));
    Entry *scratch = PyMem_Malloc((size_t)(n / 2 + 1) * sizeof(Entry));
    if (!items || !scratch) {
        PyMem_Free(items);
        PyMem_Free(scratch);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        items[i].key = ticket_key(t->digests + 32 * i);
        items[i].pos = i;
    }
    Py_ssize_t count = n;
    if (take > 0 && take < n && take < n / 8 + (n % 8 != 0)) {  /* take * 8 < n, without overflow */
        uint64_t *heap = PyMem_Malloc((size_t)take * sizeof(uint64_t));
        if (!heap) {
            PyMem_Free(items);
            PyMem_Free(scratch);
            return PyErr_NoMemory();
        }
        uint64_t bound = kth_smallest_key(items, n, take, heap);
        PyMem_Free(heap);
        count = 0;
        for (Py_ssize_t i = 0; i < n; i++)
            if (items[i].key <= bound)
                items[count++] = items[i];
    }
    sort_by_key(items, scratch, count);
    order_ties(t, items, count);
    Py_ssize_t out = take < 0 || take > count ? count : take;
    PyObject *list = PyList_New(out);
    if (list) {
        for (Py_ssize_t i = 0; i < out; i++) {
            PyObject *pos = PyLong_FromSsize_t(items[i].pos);
            if (!pos) {
                Py_CLEAR(list);
                break;
            }
            PyList_SET_ITEM(list, i, pos);
        }
    }
    PyMem_Free(items);
    PyMem_Free(scratch);
    return list;
}

/* take: None for all, else an int (negative counts as 0). */
static int parse_take(PyObject *arg, Py_ssize_t *take)
{
    if (arg == Py_None) {
        *take = -1;
        return 0;
    }
    if (!PyLong_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "take must be an int or None");
        return -1;
    }
    int overflow;
    long long value = PyLong_AsLongLongAndOverflow(arg, &overflow);
    if (value == -1 && PyErr_Occurred())
        return -1;
    if (overflow > 0 || value > PY_SSIZE_T_MAX)
        *take = PY_SSIZE_T_MAX;
    else if (overflow < 0 || value < 0)
        *take = 0;
    else
        *take = (Py_ssize_t)value;
    return 0;
}

/* The UTF-8 of every id of a list or tuple of str (borrowed from the str objects, which the sequence keeps
 * alive). */
static int utf8_ids(PyObject *fast, Py_ssize_t n, const char **id, Py_ssize_t *id_len)
{
    PyObject **items = PySequence_Fast_ITEMS(fast);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_Check(items[i])) {
            PyErr_Format(PyExc_TypeError, "ids must be str, not %.100s", Py_TYPE(items[i])->tp_name);
            return -1;
        }
        id[i] = PyUnicode_AsUTF8AndSize(items[i], &id_len[i]);
        if (!id[i])
            return -1;
    }
    return 0;
}

static int seed_midstate(PyObject *seed_hex, Sha256 *base)
{
    if (!PyUnicode_Check(seed_hex)) {
        PyErr_SetString(PyExc_TypeError, "the seed's hex must be str");
        return -1;
    }
    Py_ssize_t size;
    const char *text = PyUnicode_AsUTF8AndSize(seed_hex, &size);
    if (!text)
        return -1;
    if (size != 64 || !PyUnicode_IS_ASCII(seed_hex)) {
        PyErr_SetString(PyExc_TypeError, "the seed's hex must be 64 ASCII characters");
        return -1;
    }
    sha_init(base);
    sha_update(base, (const uint8_t *)text, 64);  /* exactly one block: the midstate every ticket copies */
    return 0;
}

typedef struct {
    PyObject *fast;
    Py_ssize_t n;
    const char **id;
    Py_ssize_t *id_len;
    uint8_t *digests;
} IdArrays;

static void free_ids(IdArrays *a)
{
    Py_XDECREF(a->fast);
    PyMem_Free(a->id);
    PyMem_Free(a->id_len);
    PyMem_Free(a->digests);
}

static int read_ids(PyObject *ids, IdArrays *a)
{
    memset(a, 0, sizeof *a);
    if (!PyList_Check(ids) && !PyTuple_Check(ids)) {
        PyErr_SetString(PyExc_TypeError, "ids must be a list or tuple of str");
        return -1;
    }
    a->fast = PySequence_Fast(ids, "ids must be a list or tuple of str");
    if (!a->fast)
        return -1;
    a->n = PySequence_Fast_GET_SIZE(a->fast);
    size_t n = a->n ? (size_t)a->n : 1;
    a->id = PyMem_Malloc(n * sizeof(char *));
    a->id_len = PyMem_Malloc(n * sizeof(Py_ssize_t));
    a->digests = PyMem_Malloc(n * 32);
    if (!a->id || !a->id_len || !a->digests) {
        PyErr_NoMemory();
        return -1;
    }
    return utf8_ids(a->fast, a->n, a->id, a->id_len);
}

/* read_ids, then every id's ticket digest under the seed whose SHA-256 hex is seed_hex into a->digests; on
 * failure the arrays are freed and -1 returned with the error set. */
static int hashed_ids(PyObject *seed_hex, PyObject *ids, IdArrays *a)
{
    Sha256 base;
    memset(a, 0, sizeof *a);
    if (seed_midstate(seed_hex, &base) < 0)
        return -1;
    if (read_ids(ids, a) < 0) {
        free_ids(a);
        return -1;
    }
    for (Py_ssize_t i = 0; i < a->n; i++)
        sha_tail(&base, (const uint8_t *)a->id[i], (size_t)a->id_len[i], a->digests + 32 * i);
    return 0;
}

PyDoc_STRVAR(ticket_order_doc,
"ticket_order(seed_hex, ids, take)\n--\n\n"
"Positions of ids (a list or tuple of str) in the ticket order of the seed whose SHA-256 hex is seed_hex:\n"
"all of them (take None) or the first take. Equal tickets are ordered by id, equal ids by position.");

static PyObject *ticket_order(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "ticket_order(seed_hex, ids, take) takes 3 arguments");
        return NULL;
    }
    Py_ssize_t take;
    IdArrays a;
    if (parse_take(args[2], &take) < 0 || hashed_ids(args[0], args[1], &a) < 0)
        return NULL;
    Tickets t = {a.digests, a.id, a.id_len};
    PyObject *result = order_list(&t, a.n, take);
    free_ids(&a);
    return result;
}

PyDoc_STRVAR(digest_order_doc,
"digest_order(digests, ids, take)\n--\n\n"
"ticket_order over given SHA-256 digests (32 bytes each, one per id) instead of hashing the ids: for tests\n"
"of equal keys and equal tickets, which real hashes practically never give.");

static PyObject *digest_order(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "digest_order(digests, ids, take) takes 3 arguments");
        return NULL;
    }
    Py_ssize_t take;
    IdArrays a;
    if (parse_take(args[2], &take) < 0)
        return NULL;
    if (read_ids(args[1], &a) < 0) {
        free_ids(&a);
        return NULL;
    }
    PyObject *digests = PySequence_Fast(args[0], "digests must be a sequence of bytes");
    if (!digests) {
        free_ids(&a);
        return NULL;
    }
    if (PySequence_Fast_GET_SIZE(digests) != a.n) {
        PyErr_SetString(PyExc_TypeError, "one digest per id");
        goto fail;
    }
    for (Py_ssize_t i = 0; i < a.n; i++) {
        PyObject *d = PySequence_Fast_GET_ITEM(digests, i);
        if (!PyBytes_Check(d) || PyBytes_GET_SIZE(d) != 32) {
            PyErr_SetString(PyExc_TypeError, "each digest must be 32 bytes");
            goto fail;
        }
        memcpy(a.digests + 32 * i, PyBytes_AS_STRING(d), 32);
    }
    Py_DECREF(digests);
    Tickets t = {a.digests, a.id, a.id_len};
    PyObject *result = order_list(&t, a.n, take);
    free_ids(&a);
    return result;
fail:
    Py_DECREF(digests);
    free_ids(&a);
    return NULL;
}

PyDoc_STRVAR(first_by_ticket_doc,
"first_by_ticket(prefix_hex, task_id, person_bytes, names)\n--\n\n"
"Of the person numbers names (ints indexing person_bytes, a list of each person's id in UTF-8), the one\n"
"whose ticket prefix_hex + task_id + '/' + person id is smallest; the earlier in names on equal tickets.");

static PyObject *first_by_ticket(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "first_by_ticket(prefix_hex, task_id, person_bytes, names) takes 4 arguments");
        return NULL;
    }
    Sha256 task;
    if (seed_midstate(args[0], &task) < 0)
        return NULL;
    if (!PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "the task id must be str");
        return NULL;
    }
    Py_ssize_t task_len;
    const char *task_id = PyUnicode_AsUTF8AndSize(args[1], &task_len);
    if (!task_id)
        return NULL;
    PyObject *people = args[2], *names = args[3];
    if (!PyList_Check(people) || !PyList_Check(names)) {
        PyErr_SetString(PyExc_TypeError, "person_bytes and names must be lists");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(names), people_count = PyList_GET_SIZE(people);
    if (count == 0) {
        PyErr_SetString(PyExc_ValueError, "no candidates");
        return NULL;
    }
    sha_update(&task, (const uint8_t *)task_id, (size_t)task_len);
    sha_update(&task, (const uint8_t *)"/", 1);
    Py_ssize_t best = -1;
    uint64_t best_key = 0;
    uint8_t best_digest[32], digest[32];
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *name = PyList_GET_ITEM(names, k);
        if (!PyLong_Check(name)) {
            PyErr_SetString(PyExc_TypeError, "candidate numbers must be int");
            return NULL;
        }
        Py_ssize_t n = PyLong_AsSsize_t(name);
        if (n == -1 && PyErr_Occurred())
            return NULL;
        if (n < 0 || n >= people_count) {
            PyErr_SetString(PyExc_TypeError, "a candidate number outside person_bytes");
            return NULL;
        }
        PyObject *person = PyList_GET_ITEM(people, n);
        if (!PyBytes_Check(person)) {
            PyErr_SetString(PyExc_TypeError, "person ids must be bytes");
            return NULL;
        }
        sha_tail(&task, (const uint8_t *)PyBytes_AS_STRING(person), (size_t)PyBytes_GET_SIZE(person), digest);
        uint64_t key = ticket_key(digest);
        if (best < 0 || ticket_less(key, digest, best_key, best_digest)) {
            best = k;
            best_key = key;
            memcpy(best_digest, digest, 32);
        }
    }
    return Py_NewRef(PyList_GET_ITEM(names, best));
}

PyDoc_STRVAR(first_digest_doc,
"first_digest(digests)\n--\n\n"
"The index of the smallest ticket among given SHA-256 digests (a list of 32-byte bytes), the earlier on equal\n"
"tickets: first_by_ticket's comparison, for tests of equal keys, which real hashes practically never give.");

static PyObject *first_digest(PyObject *Py_UNUSED(module), PyObject *digests)
{
    if (!PyList_Check(digests) || PyList_GET_SIZE(digests) == 0) {
        PyErr_SetString(PyExc_TypeError, "first_digest takes a non-empty list of 32-byte digests");
        return NULL;
    }
    Py_ssize_t best = -1;
    uint64_t best_key = 0;
    uint8_t best_digest[32];
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(digests); k++) {
        PyObject *d = PyList_GET_ITEM(digests, k);
        if (!PyBytes_Check(d) || PyBytes_GET_SIZE(d) != 32) {
            PyErr_SetString(PyExc_TypeError, "each digest must be 32 bytes");
            return NULL;
        }
        const uint8_t *digest = (const uint8_t *)PyBytes_AS_STRING(d);
        uint64_t key = ticket_key(digest);
        if (best < 0 || ticket_less(key, digest, best_key, best_digest)) {
            best = k;
            best_key = key;
            memcpy(best_digest, digest, 32);
        }
    }
    return PyLong_FromSsize_t(best);
}

PyDoc_STRVAR(sha256_doc,
"sha256(data, portable=False)\n--\n\n"
"The SHA-256 digest of bytes, by the implementation in use or (portable true) by the portable one: a test\n"
"hook, so that both implementations are held to hashlib on a machine with the SHA extensions.");

static PyObject *sha256(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 1 || nargs > 2 || !PyBytes_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "sha256(data: bytes, portable: bool = False)");
        return NULL;
    }
    int portable = 0;
    if (nargs == 2 && (portable = PyObject_IsTrue(args[1])) < 0)
        return NULL;
    Sha256 s;
    uint8_t out[32];
    sha_init(&s);
    if (portable)
        s.compress = compress_portable;
    sha_update(&s, (const uint8_t *)PyBytes_AS_STRING(args[0]), (size_t)PyBytes_GET_SIZE(args[0]));
    sha_final(&s, out);
    return PyBytes_FromStringAndSize((const char *)out, 32);
}

PyDoc_STRVAR(least_free_doc,
"least_free(names, load, cap, members)\n--\n\n"
"Of the person numbers names (a list of ints indexing load, a list of ints), those with load below cap that\n"
"are not keys of the dict members, keeping only the least loaded of them, in the order of names: the\n"
"solver's first choice among a slot's candidates (assignment._Draw.place). [] when nobody is free.");

static PyObject *least_free(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyLong_Check(args[2])
            || !PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "least_free(names: list, load: list, cap: int, members: dict)");
        return NULL;
    }
    PyObject *names = args[0], *load = args[1], *members = args[3];
    long cap = PyLong_AsLong(args[2]);
    if (cap == -1 && PyErr_Occurred())
        return NULL;
    PyObject *out = PyList_New(0);
    if (!out)
        return NULL;
    long least = 0;
    /* Nothing below runs Python code (int keys hash and compare in C), so the lists cannot change under us;
       their sizes are read again on every step all the same. */
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
        PyObject *name = PyList_GET_ITEM(names, k);
        if (!PyLong_CheckExact(name))
            goto type_error;
        Py_ssize_t n = PyLong_AsSsize_t(name);
        if (n == -1 && PyErr_Occurred())
            goto fail;
        if (n < 0 || n >= PyList_GET_SIZE(load))
            goto type_error;
        PyObject *held = PyList_GET_ITEM(load, n);
        if (!PyLong_CheckExact(held))
            goto type_error;
        long l = PyLong_AsLong(held);
        if (l == -1 && PyErr_Occurred())
            goto fail;
        if (l >= cap)
            continue;
        int in = PyDict_Contains(members, name);
        if (in < 0)
            goto fail;
        if (in)
            continue;
        if (PyList_GET_SIZE(out) == 0 || l < least) {
            least = l;
            if (PyList_SetSlice(out, 0, PyList_GET_SIZE(out), NULL) < 0)
                goto fail;
        } else if (l > least) {
            continue;
        }
        if (PyList_Append(out, name) < 0)
            goto fail;
    }
    return out;
type_error:
    PyErr_SetString(PyExc_TypeError, "least_free: names must be ints indexing load, a list of ints");
fail:
    Py_DECREF(out);
    return NULL;
}

/* --- the solver's greedy pass ------------------------------------------------------------------------ */

/* A candidate's ticket for the task being filled, hashed at most once per pass: the slots of a task share
 * their candidates, and the pending slots of one task follow each other. */
typedef struct {
    Py_ssize_t task;   /* the task the entry was hashed for; -1 when none */
    uint64_t key;
    uint8_t digest[32];
} Known;

/* Reads a small non-negative int below limit (a person, slot or task number) from an exact int. */
static int read_number(PyObject *item, Py_ssize_t limit, Py_ssize_t *out)
{
    if (!PyLong_CheckExact(item))
        return -1;
    Py_ssize_t n = PyLong_AsSsize_t(item);
    if (n == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return -1;
    }
    if (n < 0 || n >= limit)
        return -1;
    *out = n;
    return 0;
}

PyDoc_STRVAR(fill_pass_doc,
"fill_pass(pending, start, eligible, slot_task, members, held, load, filler, cap, partners, prefix_hex,\n"
"          task_ids, person_bytes)\n--\n\n"
"assignment._Draw.place for the slots pending[start:], in order, while each has a free candidate: the least\n"
"loaded of eligible[g] below cap and not in the team members[slot_task[g]], then the fewest recent partners\n"
"(partners: a set of person numbers per person) among the team, then the smallest ticket prefix_hex +\n"
"task_ids[t] + '/' + person_bytes[n] (the earlier in eligible[g] on equal tickets); the chosen person n is\n"
"written as place writes him: filler[g] = n, members[t][n] = g, held[n].add(g), load[n] += 1. Returns the\n"
"position in pending of the first slot nobody is free for (place would augment there), or len(pending).");

static PyObject *fill_pass(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 13) {
        PyErr_SetString(PyExc_TypeError, "fill_pass takes 13 arguments");
        return NULL;
    }
    PyObject *pending = args[0], *eligible = args[2], *slot_task = args[3], *members_of = args[4];
    PyObject *held = args[5], *load = args[6], *filler = args[7], *partners = args[9];
    PyObject *task_ids = args[11], *people = args[12];
    if (!PyList_Check(pending) || !PyList_Check(eligible) || !PyList_Check(slot_task) || !PyList_Check(members_of)
            || !PyList_Check(held) || !PyList_Check(load) || !PyList_Check(filler) || !PyList_Check(partners)
            || !PyList_Check(task_ids) || !PyList_Check(people) || !PyLong_CheckExact(args[1])
            || !PyLong_CheckExact(args[8])) {
        PyErr_SetString(PyExc_TypeError, "fill_pass: wrong argument types");
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[1]);
    if (start == -1 && PyErr_Occurred())
        return NULL;
    long cap = PyLong_AsLong(args[8]);
    if (cap == -1 && PyErr_Occurred())
        return NULL;
    Py_ssize_t slots = PyList_GET_SIZE(eligible), people_count = PyList_GET_SIZE(people);
    Py_ssize_t tasks = PyList_GET_SIZE(task_ids);
    if (start < 0 || PyList_GET_SIZE(slot_task) != slots || PyList_GET_SIZE(filler) != slots
            || PyList_GET_SIZE(members_of) != tasks || PyList_GET_SIZE(held) != people_count
            || PyList_GET_SIZE(load) != people_count || PyList_GET_SIZE(partners) != people_count) {
        PyErr_SetString(PyExc_TypeError, "fill_pass: the lists' lengths disagree");
        return NULL;
    }
    int paired = 0;  /* anyone with recent partners: without any (most pools), no one's count is read */
    for (Py_ssize_t n = 0; n < people_count; n++) {
        if (PyAnySet_Check(PyList_GET_ITEM(partners, n)) && PySet_GET_SIZE(PyList_GET_ITEM(partners, n)))
            paired = 1;
        if (!PyBytes_Check(PyList_GET_ITEM(people, n)) || !PyAnySet_Check(PyList_GET_ITEM(partners, n))
                || !PySet_Check(PyList_GET_ITEM(held, n))) {
            PyErr_SetString(PyExc_TypeError, "fill_pass: person_bytes must hold bytes, partners and held sets");
            return NULL;
        }
    }
    Sha256 base, task_state;
    if (seed_midstate(args[10], &base) < 0)
        return NULL;
    size_t room = (size_t)(people_count ? people_count : 1);
    Known *known = PyMem_Malloc(room * sizeof(Known));
    Py_ssize_t *free_n = PyMem_Malloc(room * sizeof(Py_ssize_t));
    Py_ssize_t *free_k = PyMem_Malloc(room * sizeof(Py_ssize_t));
    Py_ssize_t *hits_of = PyMem_Malloc(room * sizeof(Py_ssize_t));
    /* The loads as C numbers, and who is in the team being filled as a mark per person (mark[n] == epoch),
       read once per pass and per change of task rather than once per candidate; load and members are written
       as before. A candidate list's person numbers are read once per list: most slots share a few lists. */
    long *loads = PyMem_Malloc(room * sizeof(long));
    Py_ssize_t *mark = PyMem_Calloc(room, sizeof(Py_ssize_t));
    Py_ssize_t *numbers = NULL, numbers_room = 0, epoch = 0, marked_task = -1;
    PyObject *decoded = NULL;  /* the list whose numbers are in numbers (compared by identity, not held) */
    if (!known || !free_n || !free_k || !hits_of || !loads || !mark) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t n = 0; n < people_count; n++) {
        known[n].task = -1;
        PyObject *held_load = PyList_GET_ITEM(load, n);
        if (!PyLong_CheckExact(held_load))
            goto type_error;
        loads[n] = PyLong_AsLong(held_load);
        if (loads[n] == -1 && PyErr_Occurred())
            goto fail;
    }
    Py_ssize_t state_task = -1;
    Py_ssize_t i = start;
    /* Only dict and set operations on exact ints run below, which call no Python code; the lists' sizes are
       read again where an item is taken all the same. */
    for (; i < PyList_GET_SIZE(pending); i++) {
        PyObject *slot = PyList_GET_ITEM(pending, i);
        Py_ssize_t g, t;
        if (read_number(slot, PyList_GET_SIZE(eligible), &g) < 0
                || read_number(PyList_GET_ITEM(slot_task, g), PyList_GET_SIZE(members_of), &t) < 0)
            goto type_error;
        PyObject *members = PyList_GET_ITEM(members_of, t), *names = PyList_GET_ITEM(eligible, g);
        if (!PyDict_Check(members) || !PyList_Check(names))
            goto type_error;
        if (t != marked_task) {
            epoch++;
            Py_ssize_t pos = 0, m;
            PyObject *member, *value;
            while (PyDict_Next(members, &pos, &member, &value)) {
                if (read_number(member, people_count, &m) < 0)
                    goto type_error;
                mark[m] = epoch;
            }
            marked_task = t;
        }
        if (names != decoded) {
            Py_ssize_t size = PyList_GET_SIZE(names);
            if (size > numbers_room) {
                Py_ssize_t *grown = PyMem_Realloc(numbers, (size_t)size * sizeof(Py_ssize_t));
                if (!grown) {
                    PyErr_NoMemory();
                    goto fail;
                }
                numbers = grown;
                numbers_room = size;
            }
            for (Py_ssize_t k = 0; k < size; k++)
                if (read_number(PyList_GET_ITEM(names, k), people_count, &numbers[k]) < 0)
                    goto type_error;
            decoded = names;
        }
        /* the least loaded free candidates, in the order of names (least_free) */
        Py_ssize_t count = 0;
        long least = 0;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
            Py_ssize_t n = numbers[k];
            long l = loads[n];
            if (l >= cap || (count && l > least) || mark[n] == epoch)
                continue;
            if (count == 0 || l < least) {
                least = l;
                count = 0;
            }
            if (count >= (Py_ssize_t)room)
                goto type_error;  /* a person twice in names: more than the pool */
            free_n[count] = n;
            free_k[count++] = k;
        }
        if (count == 0)
            break;  /* nobody free: place augments */
        if (count > 1 && paired && PyDict_GET_SIZE(members)) {
            /* fewest recent partners among the team (a free candidate is never a member) */
            Py_ssize_t fewest = -1, kept = 0;
            for (Py_ssize_t c = 0; c < count; c++) {
                Py_ssize_t hits = 0, pos = 0;
                PyObject *member, *value;
                PyObject *name = PyList_GET_ITEM(names, free_k[c]);
                while (PyDict_Next(members, &pos, &member, &value)) {
                    Py_ssize_t m;
                    if (read_number(member, PyList_GET_SIZE(partners), &m) < 0)
                        goto type_error;
                    PyObject *theirs = PyList_GET_ITEM(partners, m);
                    if (!PyAnySet_Check(theirs))
                        goto type_error;
                    if (PySet_GET_SIZE(theirs) == 0)
                        continue;
                    int in = PySet_Contains(theirs, name);
                    if (in < 0)
                        goto fail;
                    hits += in;
                }
                hits_of[c] = hits;
                if (fewest < 0 || hits < fewest)
                    fewest = hits;
            }
            for (Py_ssize_t c = 0; c < count; c++) {
                if (hits_of[c] == fewest) {
                    free_n[kept] = free_n[c];
                    free_k[kept++] = free_k[c];
                }
            }
            count = kept;
        }
        Py_ssize_t chosen = 0;
        if (count > 1) {
            if (state_task != t) {
                PyObject *task_id = PyList_GET_ITEM(task_ids, t);
                if (!PyUnicode_Check(task_id))
                    goto type_error;
                Py_ssize_t size;
                const char *text = PyUnicode_AsUTF8AndSize(task_id, &size);
                if (!text)
                    goto fail;
                task_state = base;
                sha_update(&task_state, (const uint8_t *)text, (size_t)size);
                sha_update(&task_state, (const uint8_t *)"/", 1);
                state_task = t;
            }
            for (Py_ssize_t c = 0; c < count; c++) {
                Known *e = &known[free_n[c]];
                if (e->task != t) {
                    PyObject *person = PyList_GET_ITEM(people, free_n[c]);
                    if (!PyBytes_Check(person))
                        goto type_error;
                    sha_tail(&task_state, (const uint8_t *)PyBytes_AS_STRING(person),
                             (size_t)PyBytes_GET_SIZE(person), e->digest);
                    e->key = ticket_key(e->digest);
                    e->task = t;
                }
                if (c && ticket_less(e->key, e->digest, known[free_n[chosen]].key, known[free_n[chosen]].digest))
                    chosen = c;
            }
        }
        /* place it: filler[g] = n; members[t][n] = g; held[n].add(g); load[n] += 1 */
        Py_ssize_t n = free_n[chosen];
        PyObject *name = PyList_GET_ITEM(names, free_k[chosen]);
        PyObject *person_held = PyList_GET_ITEM(held, n);
        if (!PySet_Check(person_held))
            goto type_error;
        PyObject *raised = PyLong_FromLong(least + 1);
        if (!raised)
            goto fail;
        if (PyDict_SetItem(members, name, slot) < 0 || PySet_Add(person_held, slot) < 0) {
            Py_DECREF(raised);
            goto fail;
        }
        PyList_SetItem(load, n, raised);  /* steals raised; n < len(load) was checked */
        PyList_SetItem(filler, g, Py_NewRef(name));
        loads[n] = least + 1;
        mark[n] = epoch;  /* t is the marked task */
    }
    PyObject *result = PyLong_FromSsize_t(i);
    goto done;
type_error:
    PyErr_SetString(PyExc_TypeError, "fill_pass: slots, tasks and people must be numbered within their lists");
fail:
    result = NULL;
done:
    PyMem_Free(known);
    PyMem_Free(free_n);
    PyMem_Free(free_k);
    PyMem_Free(hits_of);
    PyMem_Free(loads);
    PyMem_Free(mark);
    PyMem_Free(numbers);
    return result;
}

PyDoc_STRVAR(improve_scan_doc,
"improve_scan(start, eligible, filler, partners, load, cap)\n--\n\n"
"The first slot g >= start that assignment._Draw.improve does not dismiss without a move: one whose holder\n"
"n = filler[g] has recent partners (partners[n], a set, not empty) or a load at least two above the floor of\n"
"the slot, the lightest load below cap among eligible[g] (cap when there is none); len(eligible) when none.");

static PyObject *improve_scan(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6 || !PyLong_CheckExact(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2])
            || !PyList_Check(args[3]) || !PyList_Check(args[4]) || !PyLong_CheckExact(args[5])) {
        PyErr_SetString(PyExc_TypeError, "improve_scan(start: int, eligible: list, filler: list, partners: list, "
                        "load: list, cap: int)");
        return NULL;
    }
    PyObject *eligible = args[1], *filler = args[2], *partners = args[3], *load = args[4];
    Py_ssize_t g = PyLong_AsSsize_t(args[0]);
    if (g == -1 && PyErr_Occurred())
        return NULL;
    long cap = PyLong_AsLong(args[5]);
    if (cap == -1 && PyErr_Occurred())
        return NULL;
    if (g < 0)
        g = 0;
    PyObject *last = NULL;  /* slots one after the other share their list: its floor is read once */
    long floor = 0;
    /* Nothing below runs Python code; sizes are read again at every step all the same. */
    for (; g < PyList_GET_SIZE(eligible); g++) {
        if (g >= PyList_GET_SIZE(filler))
            goto type_error;
        Py_ssize_t a;
        if (read_number(PyList_GET_ITEM(filler, g), PyList_GET_SIZE(load), &a) < 0
                || a >= PyList_GET_SIZE(partners))
            goto type_error;
        PyObject *theirs = PyList_GET_ITEM(partners, a), *held = PyList_GET_ITEM(load, a);
        if (!PyAnySet_Check(theirs) || !PyLong_CheckExact(held))
            goto type_error;
        if (PySet_GET_SIZE(theirs))
            break;
        long own = PyLong_AsLong(held);
        if (own == -1 && PyErr_Occurred())
            return NULL;
        PyObject *names = PyList_GET_ITEM(eligible, g);
        if (names != last) {
            if (!PyList_Check(names))
                goto type_error;
            floor = cap;
            for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names); k++) {
                Py_ssize_t n;
                if (read_number(PyList_GET_ITEM(names, k), PyList_GET_SIZE(load), &n) < 0)
                    goto type_error;
                PyObject *item = PyList_GET_ITEM(load, n);
                if (!PyLong_CheckExact(item))
                    goto type_error;
                long l = PyLong_AsLong(item);
                if (l == -1 && PyErr_Occurred())
                    return NULL;
                if (l < cap && l < floor)
                    floor = l;
            }
            last = names;
        }
        if (!(floor > own - 2))
            break;
    }
    return PyLong_FromSsize_t(g);
type_error:
    PyErr_SetString(PyExc_TypeError, "improve_scan: slots and people must be numbered within their lists");
    return NULL;
}

PyDoc_STRVAR(teams_json_doc,
"teams_json(task_ids, starts, filler, person_ids, slot_def)\n--\n\n"
"assignment._Draw.teams_json: per task t, {\"task\": task_ids[t], \"members\": [{\"inspector\":\n"
"person_ids[filler[g]], \"role\": role, \"requirement\": requirement} for g in range(starts[t], starts[t + 1])]}\n"
"where (role, requirement) = slot_def[g].");

static PyObject *teams_json(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2])
            || !PyList_Check(args[3]) || !PyList_Check(args[4])) {
        PyErr_SetString(PyExc_TypeError, "teams_json(task_ids, starts, filler, person_ids, slot_def): lists");
        return NULL;
    }
    PyObject *task_ids = args[0], *starts = args[1], *filler = args[2], *ids = args[3], *slot_def = args[4];
    Py_ssize_t tasks = PyList_GET_SIZE(task_ids), slots = PyList_GET_SIZE(slot_def);
    if (PyList_GET_SIZE(starts) != tasks + 1 || PyList_GET_SIZE(filler) != slots) {
        PyErr_SetString(PyExc_TypeError, "teams_json: the lists' lengths disagree");
        return NULL;
    }
    PyObject *k_task = NULL, *k_members = NULL, *k_inspector = NULL, *k_role = NULL, *k_requirement = NULL;
    PyObject *out = NULL;
    if (!(k_task = PyUnicode_InternFromString("task")) || !(k_members = PyUnicode_InternFromString("members"))
            || !(k_inspector = PyUnicode_InternFromString("inspector"))
            || !(k_role = PyUnicode_InternFromString("role"))
            || !(k_requirement = PyUnicode_InternFromString("requirement")))
        goto done;
    out = PyList_New(tasks);
    if (!out)
        goto done;
    Py_ssize_t start = 0, end;
    for (Py_ssize_t t = 0; t < tasks; t++) {
        if (read_number(PyList_GET_ITEM(starts, t + 1), slots + 1, &end) < 0 || end < start)
            goto type_error;
        if (t == 0) {
            Py_ssize_t first;
            if (read_number(PyList_GET_ITEM(starts, 0), slots + 1, &first) < 0 || first > end)
                goto type_error;
            start = first;
        }
        PyObject *members = PyList_New(end - start);
        if (!members)
            goto fail;
        PyObject *team = PyDict_New();
        if (!team || PyDict_SetItem(team, k_task, PyList_GET_ITEM(task_ids, t)) < 0
                || PyDict_SetItem(team, k_members, members) < 0) {
            Py_XDECREF(team);
            Py_DECREF(members);
            goto fail;
        }
        Py_DECREF(members);  /* the team holds it */
        PyList_SET_ITEM(out, t, team);
        for (Py_ssize_t g = start; g < end; g++) {
            Py_ssize_t n;
            PyObject *slot = PyList_GET_ITEM(slot_def, g);
            if (read_number(PyList_GET_ITEM(filler, g), PyList_GET_SIZE(ids), &n) < 0 || !PyTuple_Check(slot)
                    || PyTuple_GET_SIZE(slot) != 2)
                goto type_error;
            PyObject *member = PyDict_New();
            if (!member)
                goto fail;
            PyList_SET_ITEM(members, g - start, member);
            if (PyDict_SetItem(member, k_inspector, PyList_GET_ITEM(ids, n)) < 0
                    || PyDict_SetItem(member, k_role, PyTuple_GET_ITEM(slot, 0)) < 0
                    || PyDict_SetItem(member, k_requirement, PyTuple_GET_ITEM(slot, 1)) < 0)
                goto fail;
        }
        start = end;
    }
    goto done;
type_error:
    PyErr_SetString(PyExc_TypeError, "teams_json: slots and people must be numbered within their lists");
fail:
    Py_CLEAR(out);
done:
    Py_XDECREF(k_task);
    Py_XDECREF(k_members);
    Py_XDECREF(k_inspector);
    Py_XDECREF(k_role);
    Py_XDECREF(k_requirement);
    return out;
}

/* --- the solver's layout of slots ------------------------------------------------------------------ */

#define KIND_FIELDS 5
static const char *const kind_field_names[KIND_FIELDS] = {
    "team_size", "departments", "specialties", "expert_specialties", "deadline"};

PyDoc_STRVAR(task_kinds_doc,
"task_kinds(tasks)\n--\n\n"
"The tasks (a list or tuple of assignment.Task) grouped by what their slots and candidates depend on, the key\n"
"(team_size, departments, specialties, expert_specialties, deadline): returns (kind_of, firsts, task_ids,\n"
"recusing), kind_of[t] the number of task t's kind, kinds numbered in the order they first occur, firsts[k]\n"
"the first task of kind k, task_ids[t] the id of task t, recusing the tasks whose recusals are true, in order.\n"
"Keys are compared as a dict compares them.");

static PyObject *task_kinds(PyObject *Py_UNUSED(module), PyObject *tasks)
{
    if (!PyList_Check(tasks) && !PyTuple_Check(tasks)) {
        PyErr_SetString(PyExc_TypeError, "task_kinds takes a list or tuple of tasks");
        return NULL;
    }
    PyObject *names[KIND_FIELDS] = {NULL}, *id_name = NULL, *recusals_name = NULL, *recusing = NULL;
    PyObject *kind_of = NULL, *firsts = NULL, *task_ids = NULL, *keys = NULL, *numbers = NULL, *out = NULL;
    for (int f = 0; f < KIND_FIELDS; f++)
        if (!(names[f] = PyUnicode_InternFromString(kind_field_names[f])))
            goto done;
    if (!(id_name = PyUnicode_InternFromString("id")) || !(recusals_name = PyUnicode_InternFromString("recusals"))
            || !(firsts = PyList_New(0)) || !(keys = PyList_New(0)) || !(numbers = PyDict_New())
            || !(recusing = PyList_New(0)))
        goto done;
    /* the tasks' own sequence is held: getting an attribute may run Python code */
    Py_INCREF(tasks);
    Py_ssize_t count = PySequence_Fast_GET_SIZE(tasks);
    if (!(kind_of = PyList_New(count)) || !(task_ids = PyList_New(count)))
        goto release;
    PyObject *last = NULL;  /* the key of the previous task's kind, borrowed from keys */
    Py_ssize_t last_kind = -1;
    for (Py_ssize_t t = 0; t < count; t++) {
        if (t >= PySequence_Fast_GET_SIZE(tasks)) {
            PyErr_SetString(PyExc_RuntimeError, "task_kinds: the tasks changed");
            goto release;
        }
        PyObject *task = Py_NewRef(PySequence_Fast_ITEMS(tasks)[t]);
        PyObject *id = PyObject_GetAttr(task, id_name);
        PyObject *key = id ? PyTuple_New(KIND_FIELDS) : NULL;
        for (int f = 0; key && f < KIND_FIELDS; f++) {
            PyObject *field = PyObject_GetAttr(task, names[f]);
            if (!field)
                Py_CLEAR(key);
            else
                PyTuple_SET_ITEM(key, f, field);
        }
        PyObject *recusals = key ? PyObject_GetAttr(task, recusals_name) : NULL;
        Py_DECREF(task);
        int recused = recusals ? PyObject_IsTrue(recusals) : -1;
        Py_XDECREF(recusals);
        if (recused < 0) {
            Py_XDECREF(key);
            Py_XDECREF(id);
            goto release;
        }
        PyList_SET_ITEM(task_ids, t, id);
        if (recused) {
            PyObject *number = PyLong_FromSsize_t(t);
            if (!number || PyList_Append(recusing, number) < 0) {
                Py_XDECREF(number);
                Py_DECREF(key);
                goto release;
            }
            Py_DECREF(number);
        }
        /* most tasks share the very objects of their kind's fields (a manifest's tasks do): identical fields
           make equal keys, as the dict would find; anything else is looked up by value */
        int same = last != NULL;
        for (int f = 0; same && f < KIND_FIELDS; f++)
            same = PyTuple_GET_ITEM(key, f) == PyTuple_GET_ITEM(last, f);
        Py_ssize_t kind = last_kind;
        if (!same) {
            PyObject *number = PyDict_GetItemWithError(numbers, key);
            if (number) {
                kind = PyLong_AsSsize_t(number);
            } else if (PyErr_Occurred()) {
                Py_DECREF(key);
                goto release;
            } else {
                kind = PyList_GET_SIZE(keys);
                PyObject *first = PyLong_FromSsize_t(t), *made = PyLong_FromSsize_t(kind);
                int bad = !first || !made || PyList_Append(firsts, first) < 0 || PyList_Append(keys, key) < 0
                          || PyDict_SetItem(numbers, key, made) < 0;
                Py_XDECREF(first);
                Py_XDECREF(made);
                if (bad) {
                    Py_DECREF(key);
                    goto release;
                }
            }
            last = PyList_GET_ITEM(keys, kind);
            last_kind = kind;
        }
        Py_DECREF(key);
        PyObject *number = PyLong_FromSsize_t(kind);
        if (!number)
            goto release;
        PyList_SET_ITEM(kind_of, t, number);
    }
    out = PyTuple_Pack(4, kind_of, firsts, task_ids, recusing);
release:
    Py_DECREF(tasks);
done:
    for (int f = 0; f < KIND_FIELDS; f++)
        Py_XDECREF(names[f]);
    Py_XDECREF(id_name);
    Py_XDECREF(recusals_name);
    Py_XDECREF(recusing);
    Py_XDECREF(kind_of);
    Py_XDECREF(firsts);
    Py_XDECREF(task_ids);
    Py_XDECREF(keys);
    Py_XDECREF(numbers);
    return out;
}

PyDoc_STRVAR(lay_out_doc,
"lay_out(kind_of, kind_slots, kind_lists)\n--\n\n"
"The slots of the tasks one after the other: task t of kind k = kind_of[t] has the slots kind_slots[k] (a tuple)\n"
"with the candidate lists kind_lists[k] (a tuple as long, of lists, shared, not copied). Returns (starts,\n"
"slot_task, slot_def, eligible): the slots of task t are starts[t] to starts[t + 1], slot_task[g] is the task of\n"
"slot g, slot_def[g] its slot and eligible[g] its list.");

static PyObject *lay_out(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_Check(args[0]) || !PyList_Check(args[1]) || !PyList_Check(args[2])
            || PyList_GET_SIZE(args[1]) != PyList_GET_SIZE(args[2])) {
        PyErr_SetString(PyExc_TypeError, "lay_out(kind_of: list, kind_slots: list, kind_lists: list)");
        return NULL;
    }
    PyObject *kind_of = args[0], *kind_slots = args[1], *kind_lists = args[2];
    Py_ssize_t tasks = PyList_GET_SIZE(kind_of), kinds = PyList_GET_SIZE(kind_slots), slots = 0;
    for (Py_ssize_t k = 0; k < kinds; k++) {
        PyObject *defs = PyList_GET_ITEM(kind_slots, k), *lists = PyList_GET_ITEM(kind_lists, k);
        if (!PyTuple_Check(defs) || !PyTuple_Check(lists) || PyTuple_GET_SIZE(defs) != PyTuple_GET_SIZE(lists))
            goto type_error;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(lists); j++)
            if (!PyList_Check(PyTuple_GET_ITEM(lists, j)))
                goto type_error;
    }
    /* nothing below runs Python code: the lists keep their sizes */
    for (Py_ssize_t t = 0; t < tasks; t++) {
        Py_ssize_t k;
        if (read_number(PyList_GET_ITEM(kind_of, t), kinds, &k) < 0)
            goto type_error;
        slots += PyTuple_GET_SIZE(PyList_GET_ITEM(kind_slots, k));
    }
    PyObject *starts = PyList_New(tasks + 1), *slot_task = PyList_New(slots), *slot_def = PyList_New(slots);
    PyObject *eligible = PyList_New(slots), *out = NULL;
    if (!starts || !slot_task || !slot_def || !eligible)
        goto done;
    Py_ssize_t g = 0;
    for (Py_ssize_t t = 0; t <= tasks; t++) {
        PyObject *start = PyLong_FromSsize_t(g);
        if (!start)
            goto done;
        PyList_SET_ITEM(starts, t, start);
        if (t == tasks)
            break;
        Py_ssize_t k = PyLong_AsSsize_t(PyList_GET_ITEM(kind_of, t));  /* read above */
        PyObject *defs = PyList_GET_ITEM(kind_slots, k), *lists = PyList_GET_ITEM(kind_lists, k);
        PyObject *number = PyLong_FromSsize_t(t);
        if (!number)
            goto done;
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(defs); j++, g++) {
            PyList_SET_ITEM(slot_task, g, Py_NewRef(number));
            PyList_SET_ITEM(slot_def, g, Py_NewRef(PyTuple_GET_ITEM(defs, j)));
            PyList_SET_ITEM(eligible, g, Py_NewRef(PyTuple_GET_ITEM(lists, j)));
        }
        Py_DECREF(number);
    }
    out = PyTuple_Pack(4, starts, slot_task, slot_def, eligible);
done:
    Py_XDECREF(starts);
    Py_XDECREF(slot_task);
    Py_XDECREF(slot_def);
    Py_XDECREF(eligible);
    return out;
type_error:
    PyErr_SetString(PyExc_TypeError, "lay_out: kinds must be numbered within kind_slots, whose tuples match "
                    "kind_lists' tuples of lists");
    return NULL;
}

PyDoc_STRVAR(by_length_doc,
"by_length(eligible)\n--\n\n"
"sorted(range(len(eligible)), key=lambda g: len(eligible[g])): the slot numbers by their lists' lengths, in\n"
"slot order among equal lengths (eligible: a list of lists).");

static PyObject *by_length(PyObject *Py_UNUSED(module), PyObject *eligible)
{
    if (!PyList_Check(eligible)) {
        PyErr_SetString(PyExc_TypeError, "by_length takes a list of lists");
        return NULL;
    }
    Py_ssize_t slots = PyList_GET_SIZE(eligible), longest = 0;
    for (Py_ssize_t g = 0; g < slots; g++) {
        PyObject *names = PyList_GET_ITEM(eligible, g);
        if (!PyList_Check(names)) {
            PyErr_SetString(PyExc_TypeError, "by_length takes a list of lists");
            return NULL;
        }
        if (PyList_GET_SIZE(names) > longest)
            longest = PyList_GET_SIZE(names);
    }
    /* a counting sort, stable: at[l] is where the next slot of length l goes */
    Py_ssize_t *at = PyMem_Calloc((size_t)longest + 2, sizeof(Py_ssize_t));
    PyObject *out = PyList_New(slots);
    if (!at || !out) {
        PyMem_Free(at);
        Py_XDECREF(out);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t g = 0; g < slots; g++)
        at[PyList_GET_SIZE(PyList_GET_ITEM(eligible, g)) + 1]++;
    for (Py_ssize_t l = 1; l <= longest + 1; l++)
        at[l] += at[l - 1];
    for (Py_ssize_t g = 0; g < slots; g++) {
        PyObject *number = PyLong_FromSsize_t(g);
        if (!number) {
            PyMem_Free(at);
            Py_DECREF(out);
            return NULL;
        }
        PyList_SET_ITEM(out, at[PyList_GET_SIZE(PyList_GET_ITEM(eligible, g))]++, number);
    }
    PyMem_Free(at);
    return out;
}

PyDoc_STRVAR(ticket_digits_doc,
"ticket_digits(seed_hex, ids)\n--\n\n"
"The ticket digit strings (Rivest's first_fraction without \"0.\") of ids (a list or tuple of str) under the\n"
"seed whose SHA-256 hex is seed_hex, in the order of ids: tickets.ticket_digits.");

static PyObject *ticket_digits_list(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "ticket_digits(seed_hex, ids) takes 2 arguments");
        return NULL;
    }
    IdArrays a;
    if (hashed_ids(args[0], args[1], &a) < 0)
        return NULL;
    PyObject *out = PyList_New(a.n);
    for (Py_ssize_t i = 0; out && i < a.n; i++) {
        char text[96];
        PyObject *digits = PyUnicode_FromStringAndSize(text, (Py_ssize_t)ticket_digits(a.digests + 32 * i, text));
        if (!digits) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, i, digits);
    }
    free_ids(&a);
    return out;
}

/* --- quotas: one pass over a plan's targets ------------------------------------------------------------ */

PyDoc_STRVAR(split_targets_doc,
"split_targets(targets, categories, keep)\n--\n\n"
"One pass over targets (a list of quotas.TargetFacts) for quotas.compute_quotas: (ids, members, odd). For the\n"
"targets of category categories[c] (categories: a tuple of str) whose positive_list, approved_clue and\n"
"key_listed are all False, ids[c] is the tuple of their ids, sorted, and members[c] (when keep[c] is true,\n"
"else None; keep: a tuple of bool) the list of the targets in their order; odd is the list of the positions\n"
"of the other targets. None when the reference (quotas._split_targets) must decide: an id or a category not\n"
"exactly a str, an id with a code point above U+00FF, a category not in categories, an id given twice, an\n"
"attribute that cannot be read, targets changed while being read.");

/* An id, ordered first by its first 16 code points packed big-endian (one byte each: a national plan's credit
   codes), so that most comparisons read neither the string nor memory outside the array being sorted. The id
   is held (a strong reference) until it goes into its tuple. category is the index of the target's category,
   or count for a target left to the rules (its id is sorted with the others only to find one given twice). */
typedef struct {
    uint64_t k0, k1;
    PyObject *id;
    Py_ssize_t category;
} IdKey;

static uint64_t load_be64(const unsigned char *p)
{
    return ((uint64_t)load_be32(p) << 32) | load_be32(p + 4);
}

static int id_key_less(const IdKey *a, const IdKey *b)
{
    if (a->k0 != b->k0)
        return a->k0 < b->k0;
    if (a->k1 != b->k1)
        return a->k1 < b->k1;
    /* the same first 16 code points (or a shorter id padded with zeros): code point order, as str compares */
    Py_ssize_t la = PyUnicode_GET_LENGTH(a->id), lb = PyUnicode_GET_LENGTH(b->id);
    int c = memcmp(PyUnicode_DATA(a->id), PyUnicode_DATA(b->id), (size_t)(la < lb ? la : lb));
    return c != 0 ? c < 0 : la < lb;
}

/* Merge sort of keys[0:n] (spare holds n keys). */
static void sort_id_keys(IdKey *keys, IdKey *spare, Py_ssize_t n)
{
    if (n <= 16) {
        for (Py_ssize_t i = 1; i < n; i++) {
            IdKey x = keys[i];
            Py_ssize_t j = i;
            for (; j > 0 && id_key_less(&x, &keys[j - 1]); j--)
                keys[j] = keys[j - 1];
            keys[j] = x;
        }
        return;
    }
    Py_ssize_t half = n / 2;
    sort_id_keys(keys, spare, half);
    sort_id_keys(keys + half, spare, n - half);
    if (!id_key_less(&keys[half], &keys[half - 1]))
        return;  /* already in order */
    memcpy(spare, keys, (size_t)half * sizeof(IdKey));
    Py_ssize_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        keys[k++] = id_key_less(&keys[j], &spare[i]) ? keys[j++] : spare[i++];
    while (i < half)
        keys[k++] = spare[i++];
}

static PyObject *split_targets(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_CheckExact(args[0]) || !PyTuple_CheckExact(args[1]) || !PyTuple_CheckExact(args[2])
            || PyTuple_GET_SIZE(args[1]) != PyTuple_GET_SIZE(args[2])) {
        PyErr_SetString(PyExc_TypeError,
                        "split_targets(targets: list, categories: tuple of str, keep: tuple of bool as long)");
        return NULL;
    }
    PyObject *targets = args[0], *categories = args[1], *keep = args[2];
    Py_ssize_t count = PyTuple_GET_SIZE(categories), n = PyList_GET_SIZE(targets);
    for (Py_ssize_t c = 0; c < count; c++) {
        if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(categories, c)) || !PyBool_Check(PyTuple_GET_ITEM(keep, c))) {
            PyErr_SetString(PyExc_TypeError, "split_targets: categories must be a tuple of str, keep of bool");
            return NULL;
        }
    }
    static PyObject *names[5];  /* id, category and the three flags, interned once */
    static const char *const spelled[5] = {"id", "category", "positive_list", "approved_clue", "key_listed"};
    for (int k = 0; k < 5; k++) {
        if (!names[k] && !(names[k] = PyUnicode_InternFromString(spelled[k])))
            return NULL;
    }
    IdKey *keys = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(IdKey));
    IdKey *spare = PyMem_Malloc((size_t)(n > 0 ? n : 1) * sizeof(IdKey));
    Py_ssize_t *per = PyMem_Calloc((size_t)count + 1, sizeof(Py_ssize_t));
    PyObject **alias = PyMem_Calloc((size_t)count + 1, sizeof(PyObject *));  /* held: compared by address */
    Py_ssize_t held = 0;  /* keys[0:held] hold their ids */
    PyObject *ids = PyTuple_New(count), *members = PyTuple_New(count), *odd = PyList_New(0), *target = NULL;
    PyObject *values[5] = {NULL, NULL, NULL, NULL, NULL};
    PyObject *result = NULL;
    if (!keys || !spare || !per || !alias || !ids || !members || !odd) {
        if (!keys || !spare || !per || !alias)
            PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < count; c++) {
        PyObject *kept = PyTuple_GET_ITEM(keep, c) == Py_True ? PyList_New(0) : Py_NewRef(Py_None);
        if (!kept)
            goto done;
        PyTuple_SET_ITEM(members, c, kept);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        /* Reading an attribute may run Python code (a property, __getattr__) that changes targets: then the
           reference decides. The target is held while it is read. */
        if (PyList_GET_SIZE(targets) != n)
            goto undecided;
        Py_XSETREF(target, Py_NewRef(PyList_GET_ITEM(targets, i)));
        for (int k = 0; k < 5; k++) {
            /* targets are plain data: an attribute that cannot be read is left to the reference, which says
               what is wrong; only what is not an ordinary error (or is a MemoryError) goes up from here */
            values[k] = PyObject_GetAttr(target, names[k]);
            if (!values[k]) {
                if (!PyErr_ExceptionMatches(PyExc_Exception) || PyErr_ExceptionMatches(PyExc_MemoryError))
                    goto done;
                PyErr_Clear();
                goto undecided;
            }
        }
        PyObject *id = values[0], *category = values[1];
        if (!PyUnicode_CheckExact(id) || !PyUnicode_CheckExact(category) || PyUnicode_KIND(id) != PyUnicode_1BYTE_KIND)
            goto undecided;
        Py_ssize_t c = 0;
        while (c < count && PyTuple_GET_ITEM(categories, c) != category && alias[c] != category)
            c++;
        if (c == count) {
            /* equal text in another object (a category read from the database, each row its own): two exact
               str compare without error; the object is remembered */
            for (c = 0; c < count && PyUnicode_Compare(category, PyTuple_GET_ITEM(categories, c)) != 0; c++)
                ;
            if (c == count)
                goto undecided;
            Py_XSETREF(alias[c], Py_NewRef(category));
        }
        int plain = values[2] == Py_False && values[3] == Py_False && values[4] == Py_False;
        IdKey *key = &keys[held++];
        key->k0 = key->k1 = 0;
        key->id = Py_NewRef(id);
        key->category = plain ? c : count;
        per[key->category]++;
        const unsigned char *text = PyUnicode_DATA(id);
        Py_ssize_t length = PyUnicode_GET_LENGTH(id);
        if (length >= 16) {  /* a credit code (18): two loads */
            key->k0 = load_be64(text);
            key->k1 = load_be64(text + 8);
        } else {
            for (Py_ssize_t b = 0; b < length; b++) {
                if (b < 8)
                    key->k0 |= (uint64_t)text[b] << (56 - 8 * b);
                else
                    key->k1 |= (uint64_t)text[b] << (56 - 8 * (b - 8));
            }
        }
        if (plain) {
            PyObject *kept = PyTuple_GET_ITEM(members, c);
            if (kept != Py_None && PyList_Append(kept, target) < 0)
                goto done;
        } else {
            PyObject *position = PyLong_FromSsize_t(i);
            if (!position || PyList_Append(odd, position) < 0) {
                Py_XDECREF(position);
                goto done;
            }
            Py_DECREF(position);
        }
        for (int k = 0; k < 5; k++)
            Py_CLEAR(values[k]);
    }
    /* every id sorted once: one given twice is next to its twin; each category's then taken in that order */
    sort_id_keys(keys, spare, held);
    for (Py_ssize_t k = 1; k < held; k++) {
        if (!id_key_less(&keys[k - 1], &keys[k]))
            goto undecided;
    }
    for (Py_ssize_t c = 0; c < count; c++) {
        PyObject *tuple = PyTuple_New(per[c]);
        if (!tuple)
            goto done;
        PyTuple_SET_ITEM(ids, c, tuple);
        per[c] = 0;
    }
    for (Py_ssize_t k = 0; k < held; k++) {
        Py_ssize_t c = keys[k].category;
        if (c < count) {  /* the key's reference, given to the tuple */
            PyTuple_SET_ITEM(PyTuple_GET_ITEM(ids, c), per[c]++, keys[k].id);
            keys[k].id = NULL;
        }
    }
    result = PyTuple_Pack(3, ids, members, odd);
    goto done;
undecided:
    result = Py_NewRef(Py_None);
done:
    for (Py_ssize_t k = 0; keys && k < held; k++)
        Py_XDECREF(keys[k].id);
    for (int k = 0; k < 5; k++)
        Py_XDECREF(values[k]);
    for (Py_ssize_t c = 0; alias && c < count; c++)
        Py_XDECREF(alias[c]);
    PyMem_Free(keys);
    PyMem_Free(spare);
    PyMem_Free(per);
    PyMem_Free(alias);
    Py_XDECREF(target);
    Py_XDECREF(ids);
    Py_XDECREF(members);
    Py_XDECREF(odd);
    return result;
}

PyDoc_STRVAR(frozen_rows_doc,
"frozen_rows(ids: list, weights: list, flags: list) -> list | None\n\n"
"[[id, weight, flag], ...] from three columns of one length when the freeze may take the ids as they are:\n"
"every id of type str, ASCII (so NFC), strictly ascending (so distinct), the first non-empty, and every flag\n"
"the int 0 or 1 (type int itself). None otherwise: manifest._frozen_targets then runs its pure reading.");

static PyObject *frozen_rows(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyList_CheckExact(args[0]) || !PyList_CheckExact(args[1]) || !PyList_CheckExact(args[2])) {
        PyErr_SetString(PyExc_TypeError, "frozen_rows(ids: list, weights: list, flags: list)");
        return NULL;
    }
    PyObject *ids = args[0], *weights = args[1], *flags = args[2];
    Py_ssize_t n = PyList_GET_SIZE(ids);
    if (PyList_GET_SIZE(weights) != n || PyList_GET_SIZE(flags) != n)
        Py_RETURN_NONE;
    /* checked in full before anything is made: the answer is None far more cheaply when it is None */
    const Py_UCS1 *before = NULL;
    Py_ssize_t before_length = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *id = PyList_GET_ITEM(ids, k), *flag = PyList_GET_ITEM(flags, k);
        if (!PyUnicode_CheckExact(id) || !PyUnicode_IS_ASCII(id) || !PyLong_CheckExact(flag))
            Py_RETURN_NONE;
        int overflow = 0;
        long value = PyLong_AsLongAndOverflow(flag, &overflow);
        if (overflow || (value != 0 && value != 1))
            Py_RETURN_NONE;
        const Py_UCS1 *text = PyUnicode_1BYTE_DATA(id);
        Py_ssize_t length = PyUnicode_GET_LENGTH(id);
        if (k == 0) {
            if (length == 0)
                Py_RETURN_NONE;
        }
        else {
            /* before < text as Python compares str: code points, then length */
            Py_ssize_t common = before_length < length ? before_length : length;
            int c = common ? memcmp(before, text, (size_t)common) : 0;
            if (c > 0 || (c == 0 && before_length >= length))
                Py_RETURN_NONE;
        }
        before = text;
        before_length = length;
    }
    PyObject *rows = PyList_New(n);
    if (!rows)
        return NULL;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *row = PyList_New(3);
        if (!row) {
            Py_DECREF(rows);
            return NULL;
        }
        PyList_SET_ITEM(row, 0, Py_NewRef(PyList_GET_ITEM(ids, k)));
        PyList_SET_ITEM(row, 1, Py_NewRef(PyList_GET_ITEM(weights, k)));
        PyList_SET_ITEM(row, 2, Py_NewRef(PyList_GET_ITEM(flags, k)));
        PyList_SET_ITEM(rows, k, row);
    }
    return rows;
}

PyDoc_STRVAR(systematic_walk_doc,
"systematic_walk(order: list, weights: list, numerators: dict, denominator: int, first: int) -> list | None\n\n"
"sampling._systematic_bounds(bounds, denominator, first) for bounds the running sums of\n"
"numerators[weights[i]] over i in order, found in one walk without the list of sums. None when the walk\n"
"would leave 64-bit integers or meets what it does not take (a position out of range, a weight without a\n"
"numerator, a negative numerator or first point, a denominator below 1): the pure path answers then.");

static PyObject *systematic_walk(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_CheckExact(args[0]) || !PyList_CheckExact(args[1]) || !PyDict_CheckExact(args[2])
            || !PyLong_CheckExact(args[3]) || !PyLong_CheckExact(args[4])) {
        PyErr_SetString(PyExc_TypeError,
                        "systematic_walk(order: list, weights: list, numerators: dict, denominator: int, first: int)");
        return NULL;
    }
    PyObject *order = args[0], *weights = args[1], *numerators = args[2];
    int overflow = 0;
    long long denominator = PyLong_AsLongLongAndOverflow(args[3], &overflow);
    if (overflow || denominator < 1)
        Py_RETURN_NONE;
    long long point = PyLong_AsLongLongAndOverflow(args[4], &overflow);
    if (overflow || point < 0)  /* a draw's first point lies in [0, denominator) */
        Py_RETURN_NONE;
    PyObject *chosen = PyList_New(0);
    if (!chosen)
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(order), size = PyList_GET_SIZE(weights);
    long long before = 0;
    int beyond = 0;  /* the next point lies beyond every 64-bit sum: no unit takes it */
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *position = PyList_GET_ITEM(order, k);
        if (!PyLong_CheckExact(position))
            goto undecided;
        Py_ssize_t i = PyLong_AsSsize_t(position);
        if (i == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            goto undecided;
        }
        if (i < 0 || i >= size)
            goto undecided;
        PyObject *numerator = PyDict_GetItemWithError(numerators, PyList_GET_ITEM(weights, i));
        if (!numerator) {
            if (PyErr_Occurred())
                goto failed;
            goto undecided;
        }
        if (!PyLong_CheckExact(numerator))
            goto undecided;
        long long value = PyLong_AsLongLongAndOverflow(numerator, &overflow);
        if (overflow || value < 0)
            goto undecided;
        if (value > LLONG_MAX - before)  /* before >= 0 */
            goto undecided;
        long long after = before + value;
        /* the points in [before, after) fall in this unit: bisect_right(bounds, point) == k */
        while (!beyond && point < after) {
            PyObject *index = PyLong_FromSsize_t(k);
            if (!index)
                goto failed;
            int appended = PyList_Append(chosen, index);
            Py_DECREF(index);
            if (appended < 0)
                goto failed;
            if (point > LLONG_MAX - denominator)
                beyond = 1;
            else
                point += denominator;
        }
        before = after;
    }
    return chosen;
undecided:
    Py_DECREF(chosen);
    Py_RETURN_NONE;
failed:
    Py_DECREF(chosen);
    return NULL;
}
PyDoc_STRVAR(task_records_doc,
"task_records(ids, by_target, combined, merge, recusals, deadline, day, team_size, task_type)\n"
"-> (tasks, objects): manifest._task_records' loop over the sorted target ids. For each id: its strata\n"
"names = by_target[id]; the 6-tuple combined[names] (made by merge(names) and stored when missing:\n"
"departments, specialties, experts as lists, then as tuples); its recusals recusals.get(id, []). tasks gets\n"
"the task's record (a dict, fresh lists), objects the Task made as assignment._canonical_task makes it.");

static PyObject *task_records(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9 || !PyList_CheckExact(args[0]) || !PyDict_CheckExact(args[1]) || !PyDict_CheckExact(args[2])
            || !PyCallable_Check(args[3]) || !PyDict_CheckExact(args[4]) || !PyType_Check(args[8])) {
        PyErr_SetString(PyExc_TypeError, "task_records(ids: list, by_target: dict, combined: dict, merge, "
                                         "recusals: dict, deadline, day, team_size, task_type: type)");
        return NULL;
    }
    PyObject *ids = args[0], *by_target = args[1], *combined = args[2], *merge = args[3], *recusals = args[4];
    PyObject *deadline = args[5], *day = args[6], *team_size = args[7];
    PyTypeObject *task_type = (PyTypeObject *)args[8];
    /* record keys in the record's order, then the Task's field names in _canonical_task's order */
    static PyObject *keys[7];
    static const char *const spelled[7] = {"id", "deadline", "team_size", "departments", "specialties",
                                           "expert_specialties", "recusals"};
    for (int k = 0; k < 7; k++) {
        if (!keys[k] && !(keys[k] = PyUnicode_InternFromString(spelled[k])))
            return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(ids);
    PyObject *tasks = PyList_New(n), *objects = PyList_New(n), *empty = PyTuple_New(0);
    PyObject *template = PyDict_New();  /* the record's keys in order: each record a copy, its values replaced */
    PyObject *result = NULL;
    if (!tasks || !objects || !empty || !template)
        goto done;
    for (int k = 0; k < 7; k++) {
        if (PyDict_SetItem(template, keys[k], Py_None) < 0)
            goto done;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *id = PyList_GET_ITEM(ids, t);  /* borrowed; the list holds it */
        PyObject *names = PyDict_GetItemWithError(by_target, id);  /* borrowed */
        if (!names) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, id);
            goto done;
        }
        Py_INCREF(names);
        PyObject *entry = PyDict_GetItemWithError(combined, names);  /* borrowed, or made below */
        if (!entry) {
            if (PyErr_Occurred()) {
                Py_DECREF(names);
                goto done;
            }
            PyObject *made = PyObject_CallOneArg(merge, names);
            int stored = made ? PyDict_SetItem(combined, names, made) : -1;
            Py_XDECREF(made);  /* the dict holds it */
            entry = stored < 0 ? NULL : PyDict_GetItemWithError(combined, names);
            if (!entry) {
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_RuntimeError, "task_records: merge changed the combined needs");
                Py_DECREF(names);
                goto done;
            }
        }
        Py_DECREF(names);
        if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 6) {
            PyErr_SetString(PyExc_TypeError, "task_records: combined needs must be 6-tuples");
            goto done;
        }
        Py_INCREF(entry);  /* merge may run again for a later id and could drop it from the dict */
        PyObject *recused = PyDict_GetItemWithError(recusals, id);
        if (!recused && PyErr_Occurred()) {
            Py_DECREF(entry);
            goto done;
        }
        PyObject *values[7] = {Py_NewRef(id), Py_NewRef(deadline), Py_NewRef(team_size), NULL, NULL, NULL, NULL};
        PyObject *record = NULL, *task = NULL, *shared_recused = NULL;
        int fine = 1;
        for (int k = 0; k < 3 && fine; k++)
            fine = (values[3 + k] = PySequence_List(PyTuple_GET_ITEM(entry, k))) != NULL;
        if (fine)
            fine = (values[6] = recused ? PySequence_List(recused) : PyList_New(0)) != NULL;
        if (fine)
            fine = (shared_recused = recused ? PySequence_Tuple(recused) : Py_NewRef(empty)) != NULL;
        if (fine)
            fine = (record = PyDict_Copy(template)) != NULL;
        for (int k = 0; k < 7 && fine; k++)
            fine = PyDict_SetItem(record, keys[k], values[k]) == 0;
        /* object.__new__(Task), then its fields set past the frozen dataclass' __setattr__ */
        if (fine)
            fine = (task = PyBaseObject_Type.tp_new(task_type, empty, NULL)) != NULL;
        PyObject *fields[7] = {id, day, team_size, PyTuple_GET_ITEM(entry, 3), PyTuple_GET_ITEM(entry, 4),
                               PyTuple_GET_ITEM(entry, 5), shared_recused};
        for (int k = 0; k < 7 && fine; k++)
            fine = PyObject_GenericSetAttr(task, keys[k], fields[k]) == 0;
        for (int k = 0; k < 7; k++)
            Py_XDECREF(values[k]);
        Py_XDECREF(shared_recused);
        Py_DECREF(entry);
        if (!fine) {
            Py_XDECREF(record);
            Py_XDECREF(task);
            goto done;
        }
        PyList_SET_ITEM(tasks, t, record);
        PyList_SET_ITEM(objects, t, task);
    }
    result = PyTuple_Pack(2, tasks, objects);
done:
    Py_XDECREF(tasks);
    Py_XDECREF(objects);
    Py_XDECREF(empty);
    Py_XDECREF(template);
    return result;
}


static PyMethodDef methods[] = {
    {"ticket_order", (PyCFunction)(void (*)(void))ticket_order, METH_FASTCALL, ticket_order_doc},
    {"digest_order", (PyCFunction)(void (*)(void))digest_order, METH_FASTCALL, digest_order_doc},
    {"first_by_ticket", (PyCFunction)(void (*)(void))first_by_ticket, METH_FASTCALL, first_by_ticket_doc},
    {"first_digest", first_digest, METH_O, first_digest_doc},
    {"sha256", (PyCFunction)(void (*)(void))sha256, METH_FASTCALL, sha256_doc},
    {"ticket_digits", (PyCFunction)(void (*)(void))ticket_digits_list, METH_FASTCALL, ticket_digits_doc},
    {"least_free", (PyCFunction)(void (*)(void))least_free, METH_FASTCALL, least_free_doc},
    {"split_targets", (PyCFunction)(void (*)(void))split_targets, METH_FASTCALL, split_targets_doc},
    {"fill_pass", (PyCFunction)(void (*)(void))fill_pass, METH_FASTCALL, fill_pass_doc},
    {"improve_scan", (PyCFunction)(void (*)(void))improve_scan, METH_FASTCALL, improve_scan_doc},
    {"teams_json", (PyCFunction)(void (*)(void))teams_json, METH_FASTCALL, teams_json_doc},
    {"task_kinds", task_kinds, METH_O, task_kinds_doc},
    {"lay_out", (PyCFunction)(void (*)(void))lay_out, METH_FASTCALL, lay_out_doc},
    {"by_length", by_length, METH_O, by_length_doc},
    {"frozen_rows", (PyCFunction)(void (*)(void))frozen_rows, METH_FASTCALL, frozen_rows_doc},
    {"systematic_walk", (PyCFunction)(void (*)(void))systematic_walk, METH_FASTCALL, systematic_walk_doc},
    {"task_records", (PyCFunction)(void (*)(void))task_records, METH_FASTCALL, task_records_doc},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *module)
{
    for (int k = 0; k < 10000; k++)
        REV4[k] = (uint16_t)(k % 10 * 1000 + k / 10 % 10 * 100 + k / 100 % 10 * 10 + k / 1000);
    const char *which = "portable";
#ifdef HAVE_X86
    if (cpu_has_sha()) {
        compress = compress_shani;
        which = "sha-ni";
    }
#endif
    return PyModule_AddStringConstant(module, "SHA256_IMPLEMENTATION", which);
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "shuangsuiji.engine._native",
    "Rivest ticket order and the smallest ticket among candidates, in C (see tickets.py).",
    0,
    methods,
    slots,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__native(void)
{
    return PyModuleDef_Init(&module_def);
}
