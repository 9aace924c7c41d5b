/*
 * gen_umls.c - synthetic UMLS release generator (RRF layout) for benchmarks.
 *
 * Writes MRCONSO, MRSTY, MRREL and MRSAB in the exact pipe-separated RRF
 * layout of a UMLS Metathesaurus release, zstd-compressed (streaming) or
 * plain.  Sizes at --scale 1 follow the 2023AA release.  Output is fully
 * deterministic for a given --seed (own PRNG, no rand()).
 *
 * Build:
 *   gcc -std=c11 -O2 -Wall -Wextra -o bench/gen_umls bench/gen_umls.c \
 *       $(pkg-config --cflags --libs libzstd)
 *
 * Usage:
 *   gen_umls [--scale F] [--seed N] [--plain] [--level L] OUTDIR
 *
 * See bench/gen_umls.md for what is modelled.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zstd.h>

#include "../common/rng.h"

/* ------------------------------------------------------------------ */
/* Sizes of the 2023AA release (scale 1.0)                             */
/* ------------------------------------------------------------------ */
#define FULL_CONCEPTS 4600000.0
#define FULL_CONSO_ROWS 21385114.0
#define FULL_STY_ROWS 6875332.0
#define FULL_REL_ROWS 104563668.0
#define FULL_SAB_ROWS 426

#define TARGET_ENG_SHARE 0.40

static uint64_t g_seed = 20230501ULL;

static void die(const char *msg)
{
    fprintf(stderr, "gen_umls: %s\n", msg);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s ? s : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die("out of memory");
    return q;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* PRNG: common/rng.h (splitmix64), one stream per (domain, a, b) seed  */
/* ------------------------------------------------------------------ */
static inline int rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

/* seed derived from (global seed, domain, a, b) */
static inline uint64_t hseed(uint64_t dom, uint64_t a, uint64_t b)
{
    return rng_mix(g_seed ^ rng_mix(dom * 0xD1B54A32D192ED03ULL ^ rng_mix(a ^ rng_mix(b))));
}

/* ------------------------------------------------------------------ */
/* Weighted choice (cumulative table + binary search)                  */
/* ------------------------------------------------------------------ */
typedef struct {
    int n;
    double *cdf;
} wtab_t;

static void wtab_init(wtab_t *t, const double *w, int n)
{
    double s = 0, a = 0;
    t->n = n;
    t->cdf = xmalloc((size_t)n * sizeof(double));
    for (int i = 0; i < n; i++)
        s += w[i];
    for (int i = 0; i < n; i++) {
        a += w[i];
        t->cdf[i] = a / s;
    }
    t->cdf[n - 1] = 1.0;
}

/* Zipf-like weights 1/(k + q) */
static void wtab_zipf(wtab_t *t, int n, double q)
{
    double *w = xmalloc((size_t)n * sizeof(double));
    for (int k = 0; k < n; k++)
        w[k] = 1.0 / ((double)k + q);
    wtab_init(t, w, n);
    free(w);
}

static inline int wtab_pick(const wtab_t *t, struct rng *r)
{
    double u = rng_unit(r);
    int lo = 0, hi = t->n - 1;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (u < t->cdf[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* ------------------------------------------------------------------ */
/* Output: buffered writer with streaming zstd compression            */
/* ------------------------------------------------------------------ */
#define WBUF_SIZE (4u << 20)
#define LINE_RESERVE 8192u

typedef struct {
    char name[64];
    FILE *f;
    ZSTD_CCtx *cz;
    char *buf;
    size_t len, cap;
    char *zb;
    size_t zcap;
    uint64_t rows, raw, out;
    double t0;
} writer_t;

static void w_open(writer_t *w, const char *dir, const char *base, int plain, int level)
{
    char path[4096];
    memset(w, 0, sizeof *w);
    snprintf(w->name, sizeof w->name, "%s%s", base, plain ? "" : ".zst");
    snprintf(path, sizeof path, "%s/%s", dir, w->name);
    w->f = fopen(path, "wb");
    if (!w->f) {
        fprintf(stderr, "gen_umls: cannot create %s: %s\n", path, strerror(errno));
        exit(1);
    }
    w->cap = WBUF_SIZE;
    w->buf = xmalloc(w->cap);
    if (!plain) {
        w->cz = ZSTD_createCCtx();
        if (!w->cz)
            die("ZSTD_createCCtx failed");
        size_t rc = ZSTD_CCtx_setParameter(w->cz, ZSTD_c_compressionLevel, level);
        if (ZSTD_isError(rc))
            die("cannot set zstd compression level");
        (void)ZSTD_CCtx_setParameter(w->cz, ZSTD_c_checksumFlag, 1);
        /* multithreaded compression if libzstd supports it; ignore failure */
        (void)ZSTD_CCtx_setParameter(w->cz, ZSTD_c_nbWorkers, 2);
        w->zcap = ZSTD_CStreamOutSize();
        w->zb = xmalloc(w->zcap);
    }
    w->t0 = now_s();
}

static void w_write_raw(writer_t *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n) {
        fprintf(stderr, "gen_umls: write error on %s: %s\n", w->name, strerror(errno));
        exit(1);
    }
    w->out += n;
}

static void w_emit(writer_t *w, ZSTD_EndDirective mode)
{
    w->raw += w->len;
    if (!w->cz) {
        w_write_raw(w, w->buf, w->len);
        w->len = 0;
        return;
    }
    ZSTD_inBuffer in = {w->buf, w->len, 0};
    for (;;) {
        ZSTD_outBuffer out = {w->zb, w->zcap, 0};
        size_t rem = ZSTD_compressStream2(w->cz, &out, &in, mode);
        if (ZSTD_isError(rem)) {
            fprintf(stderr, "gen_umls: zstd error: %s\n", ZSTD_getErrorName(rem));
            exit(1);
        }
        w_write_raw(w, w->zb, out.pos);
        if (mode == ZSTD_e_end) {
            if (rem == 0)
                break;
        } else if (in.pos == in.size) {
            break;
        }
    }
    w->len = 0;
}

/* returns a pointer where at least LINE_RESERVE bytes may be written */
static inline char *w_line(writer_t *w)
{
    if (w->cap - w->len < LINE_RESERVE)
        w_emit(w, ZSTD_e_continue);
    return w->buf + w->len;
}

static inline void w_commit(writer_t *w, char *end)
{
    w->len = (size_t)(end - w->buf);
    w->rows++;
}

static void w_close(writer_t *w)
{
    w_emit(w, ZSTD_e_end);
    if (fclose(w->f) != 0) {
        fprintf(stderr, "gen_umls: close error on %s: %s\n", w->name, strerror(errno));
        exit(1);
    }
    double dt = now_s() - w->t0;
    fprintf(stderr, "%-16s rows=%-11llu raw_bytes=%-12llu written_bytes=%-12llu mean_line=%.1f time=%.1fs\n",
            w->name, (unsigned long long)w->rows, (unsigned long long)w->raw,
            (unsigned long long)w->out, w->rows ? (double)w->raw / (double)w->rows : 0.0, dt);
    if (w->cz)
        ZSTD_freeCCtx(w->cz);
    free(w->buf);
    free(w->zb);
}

/* ------------------------------------------------------------------ */
/* Formatting helpers                                                  */
/* ------------------------------------------------------------------ */
static inline char *put_s(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static inline char *put_m(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static inline char *put_u(char *p, uint64_t v)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = t[--n];
    return p;
}

static inline char *put_upad(char *p, uint64_t v, int width)
{
    char t[24];
    int n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        t[n++] = '0';
    while (n)
        *p++ = t[--n];
    return p;
}

#define PIPE(p) (*(p)++ = '|')

/* ------------------------------------------------------------------ */
/* Languages and word material                                         */
/* ------------------------------------------------------------------ */
enum { SC_LATIN, SC_SPACED, SC_NOSPACE };

typedef struct {
    const char *code;
    const char *name;
    double share; /* share of non-English rows (relative) */
    int script;
    const char *const *func; /* frequent real words */
    const char *const *suf;  /* word endings (latin) */
    const char *const *syl;  /* syllables (non-latin) */
} lang_t;

static const char *const ENG_ROOTS[] = {
    "cardi", "neur", "hepat", "gastr", "nephr", "oste", "arthr", "derm", "hem", "lymph", "my",
    "pneum", "bronch", "rhin", "ot", "ophthalm", "encephal", "angi", "thromb", "leuk", "erythr",
    "cyt", "hist", "path", "psych", "onc", "carcin", "aden", "lip", "gluc", "glyc", "chol",
    "cyst", "ur", "pyel", "col", "enter", "proct", "splen", "thyr", "pancreat", "laryng",
    "pharyng", "trache", "vas", "phleb", "fibr", "chondr", "cephal", "crani", "spondyl",
    "mening", "retin", "kerat", "cortic", "adren", "andr", "estr", "gyn", "hyster", "mamm",
    "mast", "prost", "orchi", "ovari", "salping", "nas", "stomat", "gloss", "dent", "odont",
    "sial", "esophag", "duoden", "jejun", "ile", "cec", "sigm", "rect", "bili", "cholecyst",
    "ren", "vesic", "ureter", "urethr", "myel", "plasm", "sarc", "melan", "chrom", "bacter",
    "vir", "myc", "tox", "pyr", "therm", "alg", "tens", "scler", "sten", "troph", "plas", "gen",
    "kin", "lys", "phag", "amin", "benz", "meth", "eth", "prop", "but", "phen", "pyrid",
    "quin", "cycl", "hydr", "ox", "chlor", "fluor", "sulf", "nitr", "azol", "pril", "sartan",
    "olol", "cillin", "mycin", "cef", "stat", "dipin", "prazol", "tetr", "pent", "hex",
    "morph", "cod", "epi", "dopa", "sero", "tyr", "glut", "asp", "lys", "val", "leuc", "prol",
    "trypt", "insul", "gluca", "somat", "lact", "calc", "phosph", "ferr", "cupr", "zinc",
    NULL};

static const char *const ENG_LINKS[] = {"o", "i", "a", "o", "o", NULL};

static const char *const ENG_SUF[] = {
    "itis", "osis", "oma", "emia", "algia", "ectomy", "otomy", "ostomy", "plasty", "scopy",
    "graphy", "gram", "pathy", "megaly", "plegia", "paresis", "trophy", "plasia", "genesis",
    "lysis", "cyte", "blast", "ase", "ine", "ide", "ate", "ol", "one", "ic", "al", "ous", "ar",
    "ary", "ism", "ia", "y", "um", "us", "in", "an", "ate", "ase", "in", "ine", "mab", "nib",
    "vir", "azole", "amide", "amine", "ogen", "oid", "ulin", NULL};

static const char *const ENG_FUNC[] = {
    "of", "and", "with", "the", "to", "in", "by", "for", "or", "without", "due", "on", "at",
    "left", "right", "bilateral", "acute", "chronic", "disease", "disorder", "syndrome",
    "finding", "procedure", "injury", "structure", "cell", "cells", "protein", "gene", "human",
    "tablet", "oral", "solution", "injection", "capsule", "mg", "mL", "blood", "serum",
    "plasma", "urine", "level", "test", "type", "other", "unspecified", "NOS", "primary",
    "secondary", "malignant", "benign", "neoplasm", "fracture", "infection", "lower", "upper",
    "bone", "skin", "pain", "history", "family", "patient", "measurement", "therapy",
    "surgery", "artery", "vein", "nerve", "muscle", "joint", "body", "system", "tissue",
    "fluid", "mass", "concentration", "presence", "absence", "severe", "mild", "moderate",
    "congenital", "deficiency", "receptor", "antibody", "antigen", "activity", "function",
    "abnormal", "normal", "total", "free", "assay", "screening", "examination", "repair",
    "excision", "removal", "biopsy", "transplant", "implant", "device", "catheter", "drug",
    "dose", "daily", "extended", "release", "hydrochloride", "sodium", "potassium",
    "calcium", "acid", "antagonist", "inhibitor", "agent", "factor", "kinase", "subunit",
    "domain", "member", "region", "anterior", "posterior", "medial", "lateral", "superior",
    "inferior", "fetal", "maternal", "child", "adult", "care", "assessment", "risk", "stage",
    "grade", "tumor", "carcinoma", "lymphoma", "leukemia", "cancer", "virus", "bacteria",
    "strain", "species", "complex", "chain", "alpha", "beta", "gamma", "delta", "like",
    "associated", "related", "induced", "caused", "specified", "site", "part", "portion",
    "entire", "segment", "wall", "open", "closed", "wound", "poisoning", "accidental",
    "vaccine", "human", "rat", "mouse", NULL};

static const char *const SPA_FUNC[] = {"de", "la", "el", "y", "con", "sin", "del", "en", "por", "los", "las", "otro", "no", "especificado", "enfermedad", "síndrome", "trastorno", "dolor", "lesión", "células", "proteína", "izquierdo", "derecho", "agudo", "crónico", "tumor", "maligno", "benigno", "hueso", "piel", "sangre", "prueba", "tratamiento", "infección", "fractura", NULL};
static const char *const SPA_SUF[] = {"ción", "ía", "itis", "osis", "oma", "ico", "ica", "ado", "ada", "al", "ar", "ente", "ectomía", "algia", "patía", "emia", "ñez", "año", NULL};
static const char *const FRE_FUNC[] = {"de", "la", "le", "et", "avec", "sans", "du", "des", "en", "par", "les", "autre", "non", "précisé", "maladie", "syndrome", "trouble", "douleur", "lésion", "cellules", "protéine", "gauche", "droit", "aigu", "chronique", "tumeur", "maligne", "bénigne", "os", "peau", "sang", "épreuve", "traitement", "infection", "fracture", NULL};
static const char *const FRE_SUF[] = {"ique", "ite", "ose", "ome", "émie", "algie", "ectomie", "ée", "é", "ale", "eur", "ité", "ation", "ïde", "ère", NULL};
static const char *const GER_FUNC[] = {"der", "die", "das", "und", "mit", "ohne", "von", "des", "im", "am", "bei", "nicht", "näher", "bezeichnet", "Krankheit", "Syndrom", "Störung", "Schmerz", "Verletzung", "Zellen", "Protein", "links", "rechts", "akut", "chronisch", "Tumor", "bösartig", "gutartig", "Knochen", "Haut", "Blut", "Prüfung", "Behandlung", "Infektion", "Fraktur", NULL};
static const char *const GER_SUF[] = {"ung", "itis", "ose", "om", "ämie", "algie", "ektomie", "isch", "ität", "äure", "öse", "heit", "keit", "ie", NULL};
static const char *const ITA_FUNC[] = {"di", "la", "il", "e", "con", "senza", "del", "della", "in", "per", "altro", "non", "specificato", "malattia", "sindrome", "disturbo", "dolore", "lesione", "cellule", "proteina", "sinistro", "destro", "acuto", "cronico", "tumore", "maligno", "benigno", "osso", "pelle", "sangue", "prova", "trattamento", "infezione", "frattura", NULL};
static const char *const ITA_SUF[] = {"zione", "ite", "osi", "oma", "emia", "algia", "ectomia", "ico", "ica", "ità", "ò", "è", "ale", "oso", NULL};
static const char *const POR_FUNC[] = {"de", "da", "do", "e", "com", "sem", "em", "por", "os", "as", "outro", "não", "especificado", "doença", "síndrome", "transtorno", "dor", "lesão", "células", "proteína", "esquerdo", "direito", "agudo", "crônico", "tumor", "maligno", "benigno", "osso", "pele", "sangue", "teste", "tratamento", "infecção", "fratura", NULL};
static const char *const POR_SUF[] = {"ção", "ões", "ite", "ose", "oma", "emia", "algia", "ectomia", "ico", "ica", "ão", "ã", "al", "ável", NULL};
static const char *const DUT_FUNC[] = {"van", "de", "het", "en", "met", "zonder", "in", "bij", "op", "niet", "gespecificeerd", "ziekte", "syndroom", "stoornis", "pijn", "letsel", "cellen", "eiwit", "links", "rechts", "acuut", "chronisch", "tumor", "kwaadaardig", "goedaardig", "bot", "huid", "bloed", "test", "behandeling", "infectie", "fractuur", NULL};
static const char *const DUT_SUF[] = {"itis", "ose", "oom", "emie", "algie", "ectomie", "isch", "heid", "ing", "aal", "eer", "ij", "oe", NULL};
static const char *const CZE_FUNC[] = {"a", "s", "bez", "v", "na", "z", "jiné", "nespecifikováno", "nemoc", "syndrom", "porucha", "bolest", "poranění", "buňky", "protein", "levý", "pravý", "akutní", "chronický", "nádor", "zhoubný", "kost", "kůže", "krev", "léčba", "infekce", "zlomenina", NULL};
static const char *const CZE_SUF[] = {"itida", "óza", "om", "émie", "algie", "ektomie", "ický", "ní", "ost", "ř", "č", "ě", "ý", NULL};
static const char *const POL_FUNC[] = {"i", "z", "bez", "w", "na", "do", "inne", "nieokreślone", "choroba", "zespół", "zaburzenie", "ból", "uraz", "komórki", "białko", "lewy", "prawy", "ostry", "przewlekły", "guz", "złośliwy", "kość", "skóra", "krew", "leczenie", "zakażenie", "złamanie", NULL};
static const char *const POL_SUF[] = {"ość", "ica", "oza", "ak", "emia", "algia", "ektomia", "ny", "ski", "ł", "ś", "ż", "ą", "ę", NULL};
static const char *const HUN_FUNC[] = {"és", "a", "az", "nélkül", "egyéb", "nem", "meghatározott", "betegség", "szindróma", "zavar", "fájdalom", "sérülés", "sejtek", "fehérje", "bal", "jobb", "akut", "krónikus", "daganat", "rosszindulatú", "csont", "bőr", "vér", "kezelés", "fertőzés", "törés", NULL};
static const char *const HUN_SUF[] = {"itisz", "ózis", "óma", "émia", "algia", "ektómia", "ős", "ű", "ség", "ás", "és", "ó", NULL};
static const char *const SWE_FUNC[] = {"och", "med", "utan", "av", "i", "på", "annan", "ospecificerad", "sjukdom", "syndrom", "störning", "smärta", "skada", "celler", "protein", "vänster", "höger", "akut", "kronisk", "tumör", "elakartad", "ben", "hud", "blod", "behandling", "infektion", "fraktur", NULL};
static const char *const SWE_SUF[] = {"it", "os", "om", "emi", "algi", "ektomi", "isk", "het", "ning", "å", "ä", "ö", NULL};
static const char *const NOR_FUNC[] = {"og", "med", "uten", "av", "i", "på", "annen", "uspesifisert", "sykdom", "syndrom", "forstyrrelse", "smerte", "skade", "celler", "protein", "venstre", "høyre", "akutt", "kronisk", "svulst", "ondartet", "ben", "hud", "blod", "behandling", "infeksjon", "brudd", NULL};
static const char *const NOR_SUF[] = {"itt", "ose", "om", "emi", "algi", "ektomi", "isk", "het", "ning", "ø", "å", "æ", NULL};
static const char *const DAN_FUNC[] = {"og", "med", "uden", "af", "i", "på", "anden", "uspecificeret", "sygdom", "syndrom", "forstyrrelse", "smerte", "skade", "celler", "protein", "venstre", "højre", "akut", "kronisk", "svulst", "ondartet", "knogle", "hud", "blod", "behandling", "infektion", "brud", NULL};
static const char *const DAN_SUF[] = {"itis", "ose", "om", "æmi", "algi", "ektomi", "isk", "hed", "ning", "ø", "å", "æ", NULL};
static const char *const FIN_FUNC[] = {"ja", "ilman", "muu", "määrittämätön", "sairaus", "oireyhtymä", "häiriö", "kipu", "vamma", "solut", "proteiini", "vasen", "oikea", "akuutti", "krooninen", "kasvain", "pahanlaatuinen", "luu", "iho", "veri", "hoito", "infektio", "murtuma", NULL};
static const char *const FIN_SUF[] = {"iitti", "oosi", "ooma", "emia", "algia", "ektomia", "inen", "ää", "yy", "ö", "ssa", "lla", NULL};
static const char *const TUR_FUNC[] = {"ve", "ile", "olmadan", "diğer", "belirtilmemiş", "hastalık", "sendrom", "bozukluk", "ağrı", "yaralanma", "hücreler", "protein", "sol", "sağ", "akut", "kronik", "tümör", "kötü", "huylu", "kemik", "deri", "kan", "tedavi", "enfeksiyon", "kırık", NULL};
static const char *const TUR_SUF[] = {"it", "oz", "om", "emi", "alji", "ektomi", "lik", "ş", "ğ", "ı", "ü", "ç", NULL};
static const char *const EST_FUNC[] = {"ja", "ilma", "muu", "täpsustamata", "haigus", "sündroom", "häire", "valu", "vigastus", "rakud", "valk", "vasak", "parem", "äge", "krooniline", "kasvaja", "pahaloomuline", "luu", "nahk", "veri", "ravi", "infektsioon", "murd", NULL};
static const char *const EST_SUF[] = {"iit", "oos", "oom", "eemia", "algia", "ektoomia", "line", "õ", "ä", "ü", "us", NULL};
static const char *const LAV_FUNC[] = {"un", "ar", "bez", "cits", "neprecizēts", "slimība", "sindroms", "traucējumi", "sāpes", "trauma", "šūnas", "proteīns", "kreisais", "labais", "akūts", "hronisks", "audzējs", "ļaundabīgs", "kauls", "āda", "asinis", "ārstēšana", "infekcija", "lūzums", NULL};
static const char *const LAV_SUF[] = {"īts", "oze", "oma", "ēmija", "algija", "ektomija", "isks", "ā", "ņ", "ē", "ī", "š", NULL};
static const char *const HRV_FUNC[] = {"i", "s", "bez", "u", "na", "drugi", "nespecificirano", "bolest", "sindrom", "poremećaj", "bol", "ozljeda", "stanice", "protein", "lijevi", "desni", "akutni", "kronični", "tumor", "zloćudni", "kost", "koža", "krv", "liječenje", "infekcija", "prijelom", NULL};
static const char *const HRV_SUF[] = {"itis", "oza", "om", "emija", "algija", "ektomija", "ski", "ć", "č", "ž", "š", "đ", NULL};
static const char *const BAQ_FUNC[] = {"eta", "gabe", "beste", "zehaztu", "gabekoa", "gaixotasuna", "sindromea", "nahastea", "mina", "lesioa", "zelulak", "proteina", "ezker", "eskuin", "akutua", "kronikoa", "tumorea", "gaiztoa", "hezurra", "azala", "odola", "tratamendua", "infekzioa", "haustura", NULL};
static const char *const BAQ_SUF[] = {"itisa", "osia", "oma", "emia", "algia", "ektomia", "ko", "tza", "tasun", "ak", "en", NULL};

static const char *const RUS_FUNC[] = {"и", "с", "без", "в", "на", "другой", "неуточненный", "болезнь", "синдром", "расстройство", "боль", "травма", "клетки", "белок", "левый", "правый", "острый", "хронический", "опухоль", "злокачественная", "кость", "кожа", "кровь", "лечение", "инфекция", "перелом", NULL};
static const char *const RUS_SYL[] = {"кар", "ди", "ит", "оз", "на", "я", "бо", "лезн", "син", "дром", "ост", "рый", "нев", "ро", "ге", "па", "то", "ми", "эн", "це", "фа", "ли", "ле", "ко", "ма", "ти", "ческ", "ий", "ая", "ое", NULL};
static const char *const GRE_FUNC[] = {"και", "με", "χωρίς", "σε", "άλλο", "μη", "καθορισμένο", "νόσος", "σύνδρομο", "διαταραχή", "πόνος", "τραυματισμός", "κύτταρα", "πρωτεΐνη", "αριστερό", "δεξί", "οξύ", "χρόνιο", "όγκος", "κακοήθης", "οστό", "δέρμα", "αίμα", "θεραπεία", "λοίμωξη", "κάταγμα", NULL};
static const char *const GRE_SYL[] = {"κα", "ρδι", "ί", "τι", "δα", "νό", "σος", "ο", "ξύ", "νευ", "ρο", "πα", "θε", "ια", "ηπα", "τί", "τιδα", "ωμα", "αι", "μι", "κή", "ός", NULL};
static const char *const HEB_FUNC[] = {"ו", "עם", "ללא", "של", "אחר", "לא", "מוגדר", "מחלה", "תסמונת", "הפרעה", "כאב", "פציעה", "תאים", "חלבון", "שמאל", "ימין", "חריף", "כרוני", "גידול", "ממאיר", "עצם", "עור", "דם", "טיפול", "זיהום", "שבר", NULL};
static const char *const HEB_SYL[] = {"מח", "לה", "דל", "קת", "כר", "ונ", "ית", "בר", "גי", "דו", "הר", "זי", "טו", "נפ", "סו", "רפ", "של", "תי", NULL};
static const char *const ARA_FUNC[] = {"و", "مع", "بدون", "في", "على", "آخر", "غير", "محدد", "مرض", "متلازمة", "اضطراب", "ألم", "إصابة", "خلايا", "بروتين", "أيسر", "أيمن", "حاد", "مزمن", "ورم", "خبيث", "عظم", "جلد", "دم", "علاج", "عدوى", "كسر", NULL};
static const char *const ARA_SYL[] = {"مر", "ض", "الت", "هاب", "حا", "د", "مز", "من", "كب", "دي", "قل", "ب", "رئ", "وي", "ة", "ات", "ين", NULL};
static const char *const KOR_FUNC[] = {"및", "없는", "기타", "상세불명", "질환", "증후군", "장애", "통증", "손상", "세포", "단백질", "왼쪽", "오른쪽", "급성", "만성", "종양", "악성", "뼈", "피부", "혈액", "치료", "감염", "골절", NULL};
static const char *const KOR_SYL[] = {"증", "후", "군", "염", "성", "급", "만", "질", "환", "암", "통", "심", "장", "간", "폐", "신", "경", "혈", "관", "위", "대", "소", "액", "세", "포", NULL};
static const char *const JPN_FUNC[] = {"の", "と", "および", "その他", "詳細不明", "疾患", "症候群", "障害", "疼痛", "損傷", "細胞", "タンパク質", "左", "右", "急性", "慢性", "腫瘍", "悪性", "骨", "皮膚", "血液", "治療", "感染", "骨折", NULL};
static const char *const JPN_SYL[] = {"カ", "キ", "ク", "ル", "ン", "ト", "シ", "ア", "イ", "ウ", "リ", "ド", "ス", "症", "病", "炎", "性", "心", "肝", "肺", "腎", "血", "管", "胃", "腸", "神", "経", "筋", "ー", NULL};
static const char *const CHI_FUNC[] = {"和", "伴", "不伴", "其他", "未特指", "疾病", "综合征", "障碍", "疼痛", "损伤", "细胞", "蛋白", "左", "右", "急性", "慢性", "肿瘤", "恶性", "骨", "皮肤", "血液", "治疗", "感染", "骨折", NULL};
static const char *const CHI_SYL[] = {"病", "症", "炎", "性", "急", "慢", "肝", "肺", "心", "血", "管", "癌", "胃", "肠", "肾", "脑", "神", "经", "酸", "素", "钠", "钾", "氨", "基", NULL};

/* index 0 must be ENG */
static const lang_t LANGS[] = {
    {"ENG", "English", 0.0, SC_LATIN, ENG_FUNC, ENG_SUF, NULL},
    {"SPA", "Spanish", 14.0, SC_LATIN, SPA_FUNC, SPA_SUF, NULL},
    {"FRE", "French", 5.5, SC_LATIN, FRE_FUNC, FRE_SUF, NULL},
    {"JPN", "Japanese", 6.0, SC_NOSPACE, JPN_FUNC, NULL, JPN_SYL},
    {"DUT", "Dutch", 3.5, SC_LATIN, DUT_FUNC, DUT_SUF, NULL},
    {"GER", "German", 3.5, SC_LATIN, GER_FUNC, GER_SUF, NULL},
    {"ITA", "Italian", 3.5, SC_LATIN, ITA_FUNC, ITA_SUF, NULL},
    {"POR", "Portuguese", 4.0, SC_LATIN, POR_FUNC, POR_SUF, NULL},
    {"CZE", "Czech", 3.0, SC_LATIN, CZE_FUNC, CZE_SUF, NULL},
    {"RUS", "Russian", 2.2, SC_SPACED, RUS_FUNC, NULL, RUS_SYL},
    {"KOR", "Korean", 2.0, SC_SPACED, KOR_FUNC, NULL, KOR_SYL},
    {"CHI", "Chinese", 2.0, SC_NOSPACE, CHI_FUNC, NULL, CHI_SYL},
    {"POL", "Polish", 1.5, SC_LATIN, POL_FUNC, POL_SUF, NULL},
    {"HUN", "Hungarian", 1.2, SC_LATIN, HUN_FUNC, HUN_SUF, NULL},
    {"SWE", "Swedish", 1.0, SC_LATIN, SWE_FUNC, SWE_SUF, NULL},
    {"NOR", "Norwegian", 1.0, SC_LATIN, NOR_FUNC, NOR_SUF, NULL},
    {"FIN", "Finnish", 0.9, SC_LATIN, FIN_FUNC, FIN_SUF, NULL},
    {"DAN", "Danish", 0.6, SC_LATIN, DAN_FUNC, DAN_SUF, NULL},
    {"TUR", "Turkish", 0.8, SC_LATIN, TUR_FUNC, TUR_SUF, NULL},
    {"GRE", "Greek", 0.6, SC_SPACED, GRE_FUNC, NULL, GRE_SYL},
    {"EST", "Estonian", 0.6, SC_LATIN, EST_FUNC, EST_SUF, NULL},
    {"LAV", "Latvian", 0.5, SC_LATIN, LAV_FUNC, LAV_SUF, NULL},
    {"HEB", "Hebrew", 0.3, SC_SPACED, HEB_FUNC, NULL, HEB_SYL},
    {"ARA", "Arabic", 0.4, SC_SPACED, ARA_FUNC, NULL, ARA_SYL},
    {"HRV", "Croatian", 0.5, SC_LATIN, HRV_FUNC, HRV_SUF, NULL},
    {"BAQ", "Basque", 0.3, SC_LATIN, BAQ_FUNC, BAQ_SUF, NULL},
};
#define NLANG ((int)(sizeof LANGS / sizeof LANGS[0]))

static int count_list(const char *const *l)
{
    int n = 0;
    if (l)
        while (l[n])
            n++;
    return n;
}

typedef struct {
    char *pool;
    uint32_t *off;
    uint8_t *len;
    int n;
    wtab_t z;
} vocab_t;

static vocab_t VOC[NLANG];

static void voc_add(vocab_t *v, const char *w, size_t n, size_t *pcap, int *ncap, size_t *plen)
{
    if (n == 0 || n > 60)
        return;
    if (v->n == *ncap) {
        *ncap *= 2;
        v->off = xrealloc(v->off, (size_t)*ncap * sizeof *v->off);
        v->len = xrealloc(v->len, (size_t)*ncap);
    }
    if (*plen + n > *pcap) {
        while (*plen + n > *pcap)
            *pcap *= 2;
        v->pool = xrealloc(v->pool, *pcap);
    }
    memcpy(v->pool + *plen, w, n);
    v->off[v->n] = (uint32_t)*plen;
    v->len[v->n] = (uint8_t)n;
    v->n++;
    *plen += n;
}

static void build_vocab(void)
{
    int nroots = count_list(ENG_ROOTS), nlinks = count_list(ENG_LINKS), nengsuf = count_list(ENG_SUF);
    for (int l = 0; l < NLANG; l++) {
        const lang_t *L = &LANGS[l];
        vocab_t *v = &VOC[l];
        struct rng r;
        rng_seed(&r, hseed(1, (uint64_t)l, 0), 0);
        size_t pcap = 1 << 16, plen = 0;
        int ncap = 1024;
        v->pool = xmalloc(pcap);
        v->off = xmalloc((size_t)ncap * sizeof *v->off);
        v->len = xmalloc((size_t)ncap);
        v->n = 0;
        for (int i = 0; L->func[i]; i++)
            voc_add(v, L->func[i], strlen(L->func[i]), &pcap, &ncap, &plen);
        int npseudo = l == 0 ? 4000 : (L->script == SC_LATIN ? 2000 : 1200);
        int nsuf = count_list(L->suf), nsyl = count_list(L->syl);
        char wb[128];
        for (int k = 0; k < npseudo; k++) {
            char *p = wb;
            if (L->script == SC_LATIN) {
                p = put_s(p, ENG_ROOTS[rng_below(&r, (uint32_t)nroots)]);
                if (rng_chance(&r, 0.30)) {
                    p = put_s(p, ENG_LINKS[rng_below(&r, (uint32_t)nlinks)]);
                    p = put_s(p, ENG_ROOTS[rng_below(&r, (uint32_t)nroots)]);
                }
                if (rng_chance(&r, 0.80)) {
                    if (l != 0 && rng_chance(&r, 0.6))
                        p = put_s(p, L->suf[rng_below(&r, (uint32_t)nsuf)]);
                    else
                        p = put_s(p, ENG_SUF[rng_below(&r, (uint32_t)nengsuf)]);
                } else {
                    *p++ = "aeoi"[rng_below(&r, 4)];
                }
            } else {
                int ns = L->script == SC_NOSPACE ? 1 + (int)rng_below(&r, 3) : 2 + (int)rng_below(&r, 3);
                for (int s = 0; s < ns; s++)
                    p = put_s(p, L->syl[rng_below(&r, (uint32_t)nsyl)]);
            }
            voc_add(v, wb, (size_t)(p - wb), &pcap, &ncap, &plen);
        }
        wtab_zipf(&v->z, v->n, 8.0);
    }
}

/* ------------------------------------------------------------------ */
/* Sources                                                             */
/* ------------------------------------------------------------------ */
enum { F_SN, F_MSH, F_MDR, F_NCI, F_LNC, F_RX, F_ICD, F_MEDC, F_MTH, F_DRUG, F_OTH, NFAM };

typedef struct {
    const char *sab;
    const char *lat;
    int fam;
} srcdef_t;

/* within a language, listed from most to least atoms (Zipf rank) */
static const srcdef_t SRCDEF[] = {
    {"SNOMEDCT_US", "ENG", F_SN}, {"NCI", "ENG", F_NCI}, {"MEDCINE", "ENG", F_MEDC},
    {"LNC", "ENG", F_LNC}, {"MSH", "ENG", F_MSH}, {"RXNORM", "ENG", F_RX},
    {"MTH", "ENG", F_MTH}, {"MDR", "ENG", F_MDR}, {"NCBI", "ENG", F_OTH},
    {"ICD10PCS", "ENG", F_ICD}, {"MTHSPL", "ENG", F_DRUG}, {"GO", "ENG", F_OTH},
    {"CHV", "ENG", F_OTH}, {"HPO", "ENG", F_OTH}, {"FMA", "ENG", F_OTH},
    {"ICD10CM", "ENG", F_ICD}, {"OMIM", "ENG", F_OTH}, {"MMSL", "ENG", F_DRUG},
    {"GS", "ENG", F_DRUG}, {"VANDF", "ENG", F_DRUG}, {"MMX", "ENG", F_DRUG},
    {"DRUGBANK", "ENG", F_DRUG}, {"CPT", "ENG", F_OTH}, {"HCPCS", "ENG", F_OTH},
    {"ICD9CM", "ENG", F_ICD}, {"MED-RT", "ENG", F_DRUG}, {"ATC", "ENG", F_DRUG},
    {"USP", "ENG", F_DRUG}, {"NDDF", "ENG", F_DRUG}, {"ICD10", "ENG", F_ICD},
    {"HGNC", "ENG", F_OTH}, {"SNOMEDCT_VET", "ENG", F_SN}, {"MEDLINEPLUS", "ENG", F_OTH},
    {"CCS", "ENG", F_OTH}, {"CDT", "ENG", F_OTH}, {"HL7V3.0", "ENG", F_OTH},
    {"ICD10AM", "ENG", F_ICD}, {"ICD10AE", "ENG", F_ICD}, {"ICD10AMAE", "ENG", F_ICD},
    {"MTHICD9", "ENG", F_ICD}, {"MTHHH", "ENG", F_OTH}, {"MTHMST", "ENG", F_OTH},
    {"ORPHANET", "ENG", F_OTH}, {"NCI_FDA", "ENG", F_NCI}, {"NCI_CDISC", "ENG", F_NCI},
    {"NCI_NICHD", "ENG", F_NCI}, {"NCI_CTCAE", "ENG", F_NCI}, {"NCI_GDC", "ENG", F_NCI},
    {"NCI_NCI-GLOSS", "ENG", F_NCI}, {"NCI_CTRP", "ENG", F_NCI}, {"NCI_DCP", "ENG", F_NCI},
    {"NCI_BioC", "ENG", F_NCI}, {"NCI_PID", "ENG", F_NCI}, {"NCI_CareLex", "ENG", F_NCI},
    {"NCI_ICH", "ENG", F_NCI}, {"NCI_UCUM", "ENG", F_NCI}, {"NCI_JAX", "ENG", F_NCI},
    {"NCI_KEGG", "ENG", F_NCI}, {"NCI_DTP", "ENG", F_NCI}, {"NCI_CDC", "ENG", F_NCI},
    {"NCI_CPTAC", "ENG", F_NCI}, {"NCI_DICOM", "ENG", F_NCI}, {"NCI_EDQM-HC", "ENG", F_NCI},
    {"NCI_CTEP-SDC", "ENG", F_NCI}, {"NCI_ACC-AHA", "ENG", F_NCI}, {"NCI_NCPDP", "ENG", F_NCI},
    {"NCI_ZFin", "ENG", F_NCI}, {"NCI_CRCH", "ENG", F_NCI}, {"NCI_INC", "ENG", F_NCI},
    {"NCI_GAIA", "ENG", F_NCI}, {"NCI_CDISC-GLOSS", "ENG", F_NCI}, {"NCI_NCI-HGNC", "ENG", F_NCI},
    {"NCI_NCI-HL7", "ENG", F_NCI}, {"NCI_PI-RADS", "ENG", F_NCI}, {"NCI_RENI", "ENG", F_NCI},
    {"NCI_BRIDG_3_0_3", "ENG", F_NCI}, {"NCI_BRIDG_5_3", "ENG", F_NCI},
    {"NCI_CTCAE_5", "ENG", F_NCI}, {"NCI_CTCAE_3", "ENG", F_NCI}, {"AOD", "ENG", F_OTH},
    {"AIR", "ENG", F_OTH}, {"ALT", "ENG", F_OTH}, {"AOT", "ENG", F_OTH}, {"BI", "ENG", F_OTH},
    {"CCC", "ENG", F_OTH}, {"CCPSS", "ENG", F_OTH}, {"CCSR_ICD10CM", "ENG", F_OTH},
    {"CCSR_ICD10PCS", "ENG", F_OTH}, {"CDCREC", "ENG", F_OTH}, {"CPM", "ENG", F_OTH},
    {"CSP", "ENG", F_OTH}, {"CST", "ENG", F_OTH}, {"CVX", "ENG", F_DRUG}, {"DDB", "ENG", F_OTH},
    {"DSM-5", "ENG", F_OTH}, {"DXP", "ENG", F_OTH}, {"HCDT", "ENG", F_OTH}, {"HCPT", "ENG", F_OTH},
    {"HL7V2.5", "ENG", F_OTH}, {"ICF", "ENG", F_OTH}, {"ICF-CY", "ENG", F_OTH},
    {"ICNP", "ENG", F_OTH}, {"ICPC", "ENG", F_OTH}, {"ICPC2EENG", "ENG", F_OTH},
    {"ICPC2ICD10ENG", "ENG", F_OTH}, {"ICPC2P", "ENG", F_OTH}, {"JABL", "ENG", F_OTH},
    {"LCH", "ENG", F_OTH}, {"LCH_NW", "ENG", F_OTH}, {"MCM", "ENG", F_OTH},
    {"MTHCMSFRF", "ENG", F_OTH}, {"MTHICPC2EAE", "ENG", F_OTH}, {"MTHICPC2ICD10AE", "ENG", F_OTH},
    {"MVX", "ENG", F_DRUG}, {"NANDA-I", "ENG", F_OTH}, {"NEU", "ENG", F_OTH}, {"NIC", "ENG", F_OTH},
    {"NOC", "ENG", F_OTH}, {"NUCCHCPT", "ENG", F_OTH}, {"OMS", "ENG", F_OTH}, {"PCDS", "ENG", F_OTH},
    {"PDQ", "ENG", F_OTH}, {"PNDS", "ENG", F_OTH}, {"PPAC", "ENG", F_OTH}, {"PSY", "ENG", F_OTH},
    {"QMR", "ENG", F_OTH}, {"RAM", "ENG", F_OTH}, {"RCD", "ENG", F_OTH}, {"RCDAE", "ENG", F_OTH},
    {"RCDSA", "ENG", F_OTH}, {"RCDSY", "ENG", F_OTH}, {"SNM", "ENG", F_OTH}, {"SNMI", "ENG", F_OTH},
    {"SOP", "ENG", F_OTH}, {"SPN", "ENG", F_OTH}, {"SRC", "ENG", F_OTH}, {"ULT", "ENG", F_OTH},
    {"UMD", "ENG", F_OTH}, {"USPMG", "ENG", F_DRUG}, {"UWDA", "ENG", F_OTH}, {"WHO", "ENG", F_OTH},
    /* Spanish */
    {"SCTSPA", "SPA", F_SN}, {"MSHSPA", "SPA", F_MSH}, {"MDRSPA", "SPA", F_MDR},
    {"LNC-ES-ES", "SPA", F_LNC}, {"MEDLINEPLUS_SPA", "SPA", F_OTH}, {"LNC-ES-AR", "SPA", F_LNC},
    {"LNC-ES-MX", "SPA", F_LNC}, {"MTHSCTSPA", "SPA", F_SN}, {"WHOSPA", "SPA", F_OTH},
    {"ICPCSPA", "SPA", F_OTH}, {"CPTSP", "SPA", F_OTH},
    /* French */
    {"MSHFRE", "FRE", F_MSH}, {"MDRFRE", "FRE", F_MDR}, {"LNC-FR-FR", "FRE", F_LNC},
    {"LNC-FR-CA", "FRE", F_LNC}, {"LNC-FR-BE", "FRE", F_LNC}, {"LNC-FR-CH", "FRE", F_LNC},
    {"WHOFRE", "FRE", F_OTH}, {"ICPCFRE", "FRE", F_OTH}, {"MTHMSTFRE", "FRE", F_OTH},
    /* Japanese */
    {"MDRJPN", "JPN", F_MDR}, {"MSHJPN", "JPN", F_MSH},
    /* Dutch */
    {"MDRDUT", "DUT", F_MDR}, {"MSHDUT", "DUT", F_MSH}, {"LNC-NL-NL", "DUT", F_LNC},
    {"ICD10DUT", "DUT", F_ICD}, {"ICPC2EDUT", "DUT", F_OTH}, {"ICPC2ICD10DUT", "DUT", F_OTH},
    {"ICPCDUT", "DUT", F_OTH},
    /* German */
    {"MSHGER", "GER", F_MSH}, {"MDRGER", "GER", F_MDR}, {"LNC-DE-DE", "GER", F_LNC},
    {"LNC-DE-AT", "GER", F_LNC}, {"LNC-DE-CH", "GER", F_LNC}, {"DMDICD10", "GER", F_ICD},
    {"DMDUMD", "GER", F_OTH}, {"WHOGER", "GER", F_OTH}, {"ICPCGER", "GER", F_OTH},
    /* Italian */
    {"MSHITA", "ITA", F_MSH}, {"MDRITA", "ITA", F_MDR}, {"LNC-IT-IT", "ITA", F_LNC},
    {"LNC-IT-CH", "ITA", F_LNC}, {"MTHMSTITA", "ITA", F_OTH}, {"ICPCITA", "ITA", F_OTH},
    /* Portuguese */
    {"MSHPOR", "POR", F_MSH}, {"MDRPOR", "POR", F_MDR}, {"MDRBPO", "POR", F_MDR},
    {"LNC-PT-BR", "POR", F_LNC}, {"WHOPOR", "POR", F_OTH}, {"ICPCPOR", "POR", F_OTH},
    /* Czech */
    {"MSHCZE", "CZE", F_MSH}, {"MDRCZE", "CZE", F_MDR},
    /* Russian */
    {"MSHRUS", "RUS", F_MSH}, {"MDRRUS", "RUS", F_MDR}, {"LNC-RU-RU", "RUS", F_LNC},
    /* Korean */
    {"MDRKOR", "KOR", F_MDR}, {"KCD5", "KOR", F_ICD}, {"LNC-KO-KR", "KOR", F_LNC},
    {"TKMT", "KOR", F_OTH},
    /* Chinese */
    {"LNC-ZH-CN", "CHI", F_LNC},
    /* Polish */
    {"MSHPOL", "POL", F_MSH}, {"LNC-PL-PL", "POL", F_LNC},
    /* Hungarian */
    {"MDRHUN", "HUN", F_MDR}, {"ICPCHUN", "HUN", F_OTH},
    /* Swedish */
    {"MSHSWE", "SWE", F_MSH}, {"ICPCSWE", "SWE", F_OTH},
    /* Norwegian */
    {"MSHNOR", "NOR", F_MSH}, {"ICPCNOR", "NOR", F_OTH},
    /* Finnish */
    {"MSHFIN", "FIN", F_MSH}, {"ICPCFIN", "FIN", F_OTH},
    /* Danish */
    {"ICPCDAN", "DAN", F_OTH},
    /* Turkish */
    {"LNC-TR-TR", "TUR", F_LNC},
    /* Greek */
    {"MDRGRE", "GRE", F_MDR}, {"LNC-EL-GR", "GRE", F_LNC},
    /* Estonian */
    {"LNC-ET-EE", "EST", F_LNC},
    /* Latvian */
    {"MSHLAV", "LAV", F_MSH}, {"MDRLAV", "LAV", F_MDR},
    /* Hebrew */
    {"ICPCHEB", "HEB", F_OTH},
    /* Arabic */
    {"MDRARA", "ARA", F_MDR},
    /* Croatian */
    {"MSHSCR", "HRV", F_MSH},
    /* Basque */
    {"ICPCBAQ", "BAQ", F_OTH},
};
#define NSRC ((int)(sizeof SRCDEF / sizeof SRCDEF[0]))

typedef struct {
    const char *pref[16]; /* term type of the first atom of a source group */
    const char *syn[16];  /* further atoms */
    const char *obs[8];   /* obsolete term types (SUPPRESS=O) */
    const char *stype;    /* STYPE used in MRREL besides AUI */
    const char *cxty;
    const char *atnl;
} famdef_t;

static const famdef_t FAMS[NFAM] = {
    [F_SN] = {{"PT", NULL}, {"FN", "SY", "SY", "SY", NULL}, {"OP", "OF", "IS", "OAS", NULL}, "SCUI",
              "FULL-MULTIPLE", "ACTIVE,CASE_SIGNIFICANCE_ID,CHARACTERISTIC_TYPE_ID,DEFINITION_STATUS_ID,DESCRIPTION_TYPE_ID,EFFECTIVE_TIME,MODIFIER_ID,RELATIONSHIP_GROUP,SUBSET_MEMBER,TYPE_ID"},
    [F_MSH] = {{"MH", NULL}, {"ET", "ET", "ET", "PEP", "PM", "NM", "CE", "N1", NULL}, {NULL}, "SDUI",
               "FULL-MULTIPLE", "AN,AQL,CX,DC,DID,DX,EC,FX,HM,II,LT,MDA,MMR,MN,PA,PI,PM,RN,RR,SOS,TERMUI,TH"},
    [F_MDR] = {{"PT", NULL}, {"LLT", "LLT", "LLT", "LLT", "HT", "HG", "OS", NULL}, {"OL", NULL}, "CODE",
               "FULL-MULTIPLE", "PRIMARY_SOC,SMQ_TERM_CAT,SMQ_ALGORITHM,SMQ_SOURCE,SMQ_STATUS"},
    [F_NCI] = {{"PT", NULL}, {"SY", "SY", "SY", "AB", "FBD", "DN", "CSN", "HD", NULL}, {NULL}, "CODE",
               "FULL", "CONCEPT_STATUS,DEFINITION_REVIEW_DATE,FDA_TABLE,LONG_NAME,SEMANTIC_TYPE,SUBSET_MEMBER"},
    [F_LNC] = {{"LN", NULL}, {"LC", "LC", "OSN", "LPN", "LPDN", "LA", "LS", "DN", "CN", "LG", NULL},
               {"OLC", "OOSN", "LO", NULL}, "SCUI", "",
               "CLASS,CLASSTYPE,COMPONENT,EXAMPLE_UNITS,LCN,LOINC_COMPONENT,METHOD_TYP,PROPERTY,SCALE_TYP,STATUS,SYSTEM,TIME_ASPCT"},
    [F_RX] = {{"SCD", "SCD", "SBD", "IN", "SCDC", "SBDC", "SCDF", "SBDF", "BN", "PIN", "MIN", "BPCK", "GPCK", "SCDG", "DF", NULL},
              {"SY", "TMSY", "PSN", "SY", NULL}, {NULL}, "SCUI", "",
              "AMBIGUITY_FLAG,NDC,ORIG_CODE,ORIG_SOURCE,RXAUI,RXCUI,RXN_ACTIVATED,RXN_AVAILABLE_STRENGTH"},
    [F_ICD] = {{"PT", "PT", "HT", NULL}, {"AB", "ET", "PX", "HX", "PS", "AB", NULL}, {NULL}, "CODE",
               "FULL", "EXCLUDE1,EXCLUDE2,INCLUDED,NOTE,USE_ADDITIONAL,CODE_FIRST,CODE_ALSO"},
    [F_MEDC] = {{"PT", NULL}, {"FN", "SY", "SY", "HT", NULL}, {NULL}, "SCUI", "FULL-MULTIPLE",
                "SOS,DATE_CREATED"},
    [F_MTH] = {{"PN", NULL}, {"CV", "XM", "SY", NULL}, {NULL}, "CUI", "", "LT,SOS"},
    [F_DRUG] = {{"CD", "CD", "BD", "IN", "MTH_CD", "PT", NULL}, {"SY", "BD", "CD", "PSN", "AB", "DP", NULL},
                {NULL}, "SCUI", "", "NDC,DRT,DCSA,DDF,DST,MED_STATUS"},
    [F_OTH] = {{"PT", "PT", "PT", "MH", "HT", "FN", NULL},
               {"SY", "SY", "AB", "ET", "ACR", "SYGB", "HT", "FN", "SCN", "ET", NULL},
               {"OP", "OET", "OAP", NULL}, "CODE", "FULL", "DATE_CREATED,LT,SOS"},
};

typedef struct {
    int lang;
    int fam;
    int srl;
    int npref, nsyn, nobs;
} src_t;

static src_t SRC[NSRC];
static int LANG_NSRC[NLANG];
static int *LANG_SRCS[NLANG];
static wtab_t LANG_SRCW[NLANG];
static wtab_t NONENG_LANGW; /* index i -> language i+1 */
static int SRC_MTH = 0;

static int lang_index(const char *code)
{
    for (int l = 0; l < NLANG; l++)
        if (strcmp(LANGS[l].code, code) == 0)
            return l;
    return -1;
}

static void build_sources(void)
{
    if (NSRC > 255)
        die("too many sources");
    for (int s = 0; s < NSRC; s++) {
        for (int t = 0; t < s; t++)
            if (strcmp(SRCDEF[s].sab, SRCDEF[t].sab) == 0) {
                fprintf(stderr, "duplicate source %s\n", SRCDEF[s].sab);
                exit(1);
            }
        SRC[s].lang = lang_index(SRCDEF[s].lat);
        if (SRC[s].lang < 0)
            die("unknown source language");
        SRC[s].fam = SRCDEF[s].fam;
        const famdef_t *F = &FAMS[SRC[s].fam];
        SRC[s].npref = count_list(F->pref);
        SRC[s].nsyn = count_list(F->syn);
        SRC[s].nobs = count_list(F->obs);
        uint64_t h = hseed(2, (uint64_t)s, 0);
        int srl;
        switch (SRC[s].fam) {
        case F_SN:
            srl = 9;
            break;
        case F_MDR:
        case F_MEDC:
            srl = 3;
            break;
        case F_MSH:
        case F_NCI:
        case F_LNC:
        case F_RX:
        case F_MTH:
            srl = 0;
            break;
        default: {
            static const int SRLS[] = {0, 0, 0, 0, 0, 1, 2, 3, 3, 4};
            srl = SRLS[h % 10];
        }
        }
        SRC[s].srl = srl;
        LANG_NSRC[SRC[s].lang]++;
        if (strcmp(SRCDEF[s].sab, "MTH") == 0)
            SRC_MTH = s;
    }
    for (int l = 0; l < NLANG; l++) {
        if (LANG_NSRC[l] == 0) {
            fprintf(stderr, "language %s has no source\n", LANGS[l].code);
            exit(1);
        }
        LANG_SRCS[l] = xmalloc((size_t)LANG_NSRC[l] * sizeof(int));
        int k = 0;
        for (int s = 0; s < NSRC; s++)
            if (SRC[s].lang == l)
                LANG_SRCS[l][k++] = s;
        wtab_zipf(&LANG_SRCW[l], LANG_NSRC[l], 1.0);
    }
    double w[NLANG];
    for (int l = 1; l < NLANG; l++)
        w[l - 1] = LANGS[l].share;
    wtab_init(&NONENG_LANGW, w, NLANG - 1);
}

static inline int pick_noneng_lang(struct rng *r)
{
    return 1 + wtab_pick(&NONENG_LANGW, r);
}

static inline int pick_src(int lang, struct rng *r)
{
    return LANG_SRCS[lang][wtab_pick(&LANG_SRCW[lang], r)];
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */
/* ------------------------------------------------------------------ */
enum { ST_GEN, ST_LOINC, ST_DRUG, ST_ABBR };

/* string length in bytes (before variants): bucket edges and weights */
static const uint16_t LEN_EDGE[] = {3, 10, 20, 30, 40, 60, 80, 120, 200, 301};
static const double LEN_W[] = {0.06, 0.22, 0.275, 0.18, 0.155, 0.073, 0.027, 0.008, 0.002};
static wtab_t LENW;

static const char *const SEM_TAG_ENG[] = {
    "disorder", "finding", "procedure", "body structure", "substance", "organism",
    "qualifier value", "observable entity", "product", "situation", "morphologic abnormality",
    "regime/therapy", "physical object", "event", "cell", "medicinal product", NULL};
static const char *const SEM_TAG_SPA[] = {
    "trastorno", "hallazgo", "procedimiento", "estructura corporal", "sustancia", "organismo",
    "calificador", "entidad observable", "producto", "situación", "anomalía morfológica", NULL};

static const char *const LNC_PROP[] = {"MCnc", "SCnc", "ACnc", "NCnc", "PrThr", "Find", "Type", "Prid", "Titr", "Imp", "Num", "MRat", "CCnc", "EntMass", "Arb", "NFr", "MFr", "Vol", NULL};
static const char *const LNC_TIME[] = {"Pt", "Pt", "Pt", "Pt", "24H", "XXX", "12H", NULL};
static const char *const LNC_SYS[] = {"Ser/Plas", "Ser", "Urine", "Bld", "CSF", "XXX", "^Patient", "Stool", "Tiss", "Saliva", "BldA", "Body fluid", NULL};
static const char *const LNC_SCALE[] = {"Qn", "Qn", "Qn", "Ord", "Nom", "Nar", "OrdQn", "Doc", NULL};
static const char *const DRUG_STR[] = {"0.1", "0.5", "1", "2", "2.5", "5", "10", "20", "25", "40", "50", "100", "200", "250", "500", "1000", "0.025", "75", NULL};
static const char *const DRUG_UNIT[] = {"MG", "MG", "MG", "MG/ML", "MCG", "UNT/ML", "MG/HR", "%", "MEQ", "MG/ACTUAT", NULL};
static const char *const DRUG_FORM[] = {"Oral Tablet", "Oral Tablet", "Oral Capsule", "Injectable Solution", "Oral Solution", "Topical Cream", "Extended Release Oral Tablet", "Delayed Release Oral Capsule", "Prefilled Syringe", "Transdermal System", "Ophthalmic Solution", "Oral Suspension", "Inhalation Powder", "Rectal Suppository", NULL};
static const char *const ROMAN[] = {"I", "II", "III", "IV", "V", "VI", NULL};

static int N_SEM_ENG, N_SEM_SPA, N_LNC_PROP, N_LNC_TIME, N_LNC_SYS, N_LNC_SCALE, N_DRUG_STR,
    N_DRUG_UNIT, N_DRUG_FORM, N_ROMAN;

static void build_string_tables(void)
{
    wtab_init(&LENW, LEN_W, (int)(sizeof LEN_W / sizeof LEN_W[0]));
    N_SEM_ENG = count_list(SEM_TAG_ENG);
    N_SEM_SPA = count_list(SEM_TAG_SPA);
    N_LNC_PROP = count_list(LNC_PROP);
    N_LNC_TIME = count_list(LNC_TIME);
    N_LNC_SYS = count_list(LNC_SYS);
    N_LNC_SCALE = count_list(LNC_SCALE);
    N_DRUG_STR = count_list(DRUG_STR);
    N_DRUG_UNIT = count_list(DRUG_UNIT);
    N_DRUG_FORM = count_list(DRUG_FORM);
    N_ROMAN = count_list(ROMAN);
}

static inline char *put_word(char *p, int lang, struct rng *r)
{
    const vocab_t *v = &VOC[lang];
    int k = wtab_pick(&v->z, r);
    return put_m(p, v->pool + v->off[k], v->len[k]);
}

static inline char upc(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

static char *put_number(char *p, struct rng *r)
{
    switch (rng_below(r, 9)) {
    case 0:
    case 1:
        return put_u(p, 1 + rng_below(r, 12));
    case 2:
        return put_u(p, 10 + rng_below(r, 990));
    case 3:
        p = put_u(p, rng_below(r, 10));
        *p++ = '.';
        return put_u(p, 1 + rng_below(r, 9));
    case 4:
        p = put_u(p, 1 + rng_below(r, 5));
        *p++ = '-';
        return put_u(p, 2 + rng_below(r, 8));
    case 5:
        *p++ = "CTLSHAB"[rng_below(r, 7)];
        return put_u(p, 1 + rng_below(r, 12));
    case 6:
        return put_s(p, ROMAN[rng_below(r, (uint32_t)N_ROMAN)]);
    case 7:
        p = put_u(p, 1 + rng_below(r, 100));
        *p++ = '%';
        return p;
    default:
        p = put_u(p, 5 * (1 + rng_below(r, 100)));
        return put_s(p, rng_chance(r, 0.5) ? " mg" : " mL");
    }
}

/* General descriptive term. */
static char *gen_general(char *p, int lang, int target, struct rng *r)
{
    char *s = p;
    int script = LANGS[lang].script;
    int paren = 0;
    char close = ')';
    int nw = 0;
    if (lang == 0 && rng_chance(r, 0.01))
        p = put_s(p, "[X]");
    while ((p - s) < target && (p - s) < 270) {
        if (nw > 0) {
            if (paren == 1) {
                *p++ = close;
                paren = 0;
            } else if (paren > 1) {
                paren--;
            }
            double u = rng_unit(r);
            if (script == SC_NOSPACE) {
                if (u < 0.03)
                    p = put_s(p, "・");
                else if (u < 0.06)
                    p = put_s(p, "，");
                else if (u < 0.08)
                    *p++ = ' ';
                else if (u < 0.09 && !paren) {
                    *p++ = '(';
                    paren = 1 + (int)rng_below(r, 2);
                    close = ')';
                }
            } else if (u < 0.05) {
                p = put_s(p, ", ");
            } else if (u < 0.08) {
                *p++ = '-';
            } else if (u < 0.10) {
                *p++ = '/';
            } else if (u < 0.115 && !paren) {
                p = put_s(p, " (");
                paren = 1 + (int)rng_below(r, 3);
                close = ')';
            } else if (u < 0.125 && !paren) {
                p = put_s(p, " [");
                paren = 1 + (int)rng_below(r, 3);
                close = ']';
            } else if (u < 0.13) {
                p = put_s(p, " - ");
            } else {
                *p++ = ' ';
            }
        }
        if (rng_chance(r, 0.07))
            p = put_number(p, r);
        else
            p = put_word(p, lang, r);
        nw++;
    }
    if (paren)
        *p++ = close;
    if (lang == 0) {
        double u = rng_unit(r);
        if (u < 0.02)
            p = put_s(p, ", NOS");
        else if (u < 0.03)
            p = put_s(p, " NOS");
        else if (u < 0.045)
            p = put_s(p, ", unspecified");
    }
    if (script == SC_LATIN && rng_chance(r, 0.6))
        *s = upc(*s);
    return p;
}

static char *gen_loinc(char *p, struct rng *r)
{
    char *s = p;
    int nc = 1 + (int)rng_below(r, 3);
    for (int i = 0; i < nc; i++) {
        if (i)
            *p++ = rng_chance(r, 0.7) ? ' ' : (rng_chance(r, 0.5) ? '.' : '^');
        p = put_word(p, 0, r);
    }
    *s = upc(*s);
    *p++ = ':';
    p = put_s(p, LNC_PROP[rng_below(r, (uint32_t)N_LNC_PROP)]);
    *p++ = ':';
    p = put_s(p, LNC_TIME[rng_below(r, (uint32_t)N_LNC_TIME)]);
    *p++ = ':';
    p = put_s(p, LNC_SYS[rng_below(r, (uint32_t)N_LNC_SYS)]);
    *p++ = ':';
    p = put_s(p, LNC_SCALE[rng_below(r, (uint32_t)N_LNC_SCALE)]);
    if (rng_chance(r, 0.25)) {
        *p++ = ':';
        char *m = p;
        p = put_word(p, 0, r);
        *m = upc(*m);
    }
    return p;
}

static char *gen_drug(char *p, struct rng *r)
{
    int ni = rng_chance(r, 0.85) ? 1 : (rng_chance(r, 0.7) ? 2 : 3);
    for (int i = 0; i < ni; i++) {
        if (i)
            p = put_s(p, " / ");
        p = put_word(p, 0, r);
        if (rng_chance(r, 0.2)) {
            *p++ = ' ';
            p = put_word(p, 0, r);
        }
        *p++ = ' ';
        p = put_s(p, DRUG_STR[rng_below(r, (uint32_t)N_DRUG_STR)]);
        *p++ = ' ';
        p = put_s(p, DRUG_UNIT[rng_below(r, (uint32_t)N_DRUG_UNIT)]);
    }
    *p++ = ' ';
    p = put_s(p, DRUG_FORM[rng_below(r, (uint32_t)N_DRUG_FORM)]);
    if (rng_chance(r, 0.3)) {
        p = put_s(p, " [");
        char *b = p;
        p = put_word(p, 0, r);
        *b = upc(*b);
        *p++ = ']';
    }
    return p;
}

static char *gen_abbr(char *p, struct rng *r)
{
    int n = 2 + (int)rng_below(r, 5);
    for (int i = 0; i < n; i++)
        *p++ = (char)('A' + rng_below(r, 26));
    if (rng_chance(r, 0.3))
        p = put_u(p, 1 + rng_below(r, 20));
    if (rng_chance(r, 0.1)) {
        *p++ = '-';
        p = put_u(p, 1 + rng_below(r, 9));
    }
    return p;
}

/*
 * A string is a pure function of (key, lang, style, variant); keys map to
 * SUI/LUI, so equal keys give equal strings.  Variants: 0 as is,
 * 1 lower case, 2 upper case, 3 inverted word order ("B C, A"),
 * 4 with a semantic tag (SNOMED fully specified name style).
 * Returns length; out must hold 1024 bytes.
 */
#define POP_BASE 1000u
#define POP_N 2048u
#define KEY_BASE (POP_BASE + POP_N * 32u)

static int gen_str(char *out, uint64_t key, int lang, int style, int variant)
{
    struct rng r;
    char tmp[1024];
    rng_seed(&r, hseed(3, key, 0), 0);
    char *p = tmp;
    int popular = key >= POP_BASE && key < KEY_BASE;
    if (popular) {
        p = gen_general(p, lang, 3 + (int)rng_below(&r, 14), &r);
    } else {
        switch (style) {
        case ST_LOINC:
            p = gen_loinc(p, &r);
            break;
        case ST_DRUG:
            p = gen_drug(p, &r);
            break;
        case ST_ABBR:
            p = gen_abbr(p, &r);
            break;
        default: {
            int b = wtab_pick(&LENW, &r);
            int target = LEN_EDGE[b] + (int)rng_below(&r, (uint32_t)(LEN_EDGE[b + 1] - LEN_EDGE[b]));
            p = gen_general(p, lang, target, &r);
        }
        }
    }
    int n = (int)(p - tmp);
    switch (variant) {
    case 1:
        for (int i = 0; i < n; i++)
            out[i] = (tmp[i] >= 'A' && tmp[i] <= 'Z') ? (char)(tmp[i] + 32) : tmp[i];
        return n;
    case 2:
        for (int i = 0; i < n; i++)
            out[i] = upc(tmp[i]);
        return n;
    case 3: {
        char *sp = memchr(tmp, ' ', (size_t)n);
        if (sp && sp + 1 < tmp + n) {
            int a = (int)(sp - tmp);
            int m = n - a - 1;
            memcpy(out, sp + 1, (size_t)m);
            memcpy(out + m, ", ", 2);
            memcpy(out + m + 2, tmp, (size_t)a);
            return m + 2 + a;
        }
        memcpy(out, tmp, (size_t)n);
        return n;
    }
    case 4: {
        memcpy(out, tmp, (size_t)n);
        char *q = out + n;
        q = put_s(q, " (");
        uint64_t h = rng_mix(key);
        if (lang == 1)
            q = put_s(q, SEM_TAG_SPA[h % (uint64_t)N_SEM_SPA]);
        else
            q = put_s(q, SEM_TAG_ENG[h % (uint64_t)N_SEM_ENG]);
        *q++ = ')';
        return (int)(q - out);
    }
    default:
        memcpy(out, tmp, (size_t)n);
        return n;
    }
}

/* ------------------------------------------------------------------ */
/* Global plan (concepts, atoms)                                      */
/* ------------------------------------------------------------------ */
static uint32_t NC;        /* concepts */
static uint64_t N_CONSO;   /* MRCONSO rows */
static uint64_t N_STY;     /* MRSTY rows */
static uint64_t N_REL;     /* MRREL rows */
static uint32_t N_SAB_OLD; /* non-current MRSAB rows */

static uint32_t *CUI;      /* CUI number per concept */
static uint32_t *RS;       /* first MRCONSO row of concept, NC+1 entries */
static uint8_t *ROW_SAB;   /* source of each MRCONSO row */
static uint64_t AUI_P, AUI_M;
static uint64_t KEY_P, KEY_M; /* string key -> LUI/SUI number bijection */
static uint64_t *SRC_TFR, *SRC_CFR;

static inline uint64_t aui_num(uint64_t row)
{
    return (row * AUI_M) % AUI_P + 1000;
}

static int is_prime(uint64_t n)
{
    if (n < 2)
        return 0;
    for (uint64_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

/* rows per concept: heavy-tailed, mean ~4.6 */
static const uint32_t CNT_LO[] = {1, 2, 3, 4, 5, 6, 11, 21, 51, 201};
static const uint32_t CNT_HI[] = {1, 2, 3, 4, 5, 10, 20, 50, 200, 600};
static const double CNT_W[] = {0.36, 0.19, 0.12, 0.08, 0.055, 0.115, 0.058, 0.019, 0.0028, 0.0002};

static void plan_concepts(void)
{
    struct rng r;
    rng_seed(&r, hseed(10, 0, 0), 0);
    CUI = xmalloc((size_t)NC * sizeof *CUI);
    RS = xmalloc(((size_t)NC + 1) * sizeof *RS);

    /* CUIs: increasing with gaps, spanning ~C0000005..C5750000 */
    double g = 1.25 * FULL_CONCEPTS / (double)NC;
    if (g * (double)NC > 9.9e6)
        g = 9.9e6 / (double)NC;
    if (g < 1.0)
        g = 1.0;
    double m = g - 1.0, acc = 0;
    uint64_t c = 5;
    for (uint32_t i = 0; i < NC; i++) {
        CUI[i] = (uint32_t)c;
        double u = rng_unit(&r);
        acc += (rng_unit(&r) < 0.97) ? 2.0 * u * m / 1.27 : 20.0 * u * m / 1.27;
        uint64_t extra = (uint64_t)acc;
        acc -= (double)extra;
        c += 1 + extra;
    }

    /* atoms per concept */
    wtab_t cw;
    wtab_init(&cw, CNT_W, (int)(sizeof CNT_W / sizeof CNT_W[0]));
    uint32_t *cnt = xmalloc((size_t)NC * sizeof *cnt);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < NC; i++) {
        int b = wtab_pick(&cw, &r);
        cnt[i] = CNT_LO[b] + rng_below(&r, CNT_HI[b] - CNT_LO[b] + 1);
        sum += cnt[i];
    }
    while (sum > N_CONSO) {
        uint32_t i = rng_below(&r, NC);
        if (cnt[i] > 1) {
            uint32_t d = cnt[i] > 8 ? 1 + rng_below(&r, cnt[i] / 4) : 1;
            if (sum - d < N_CONSO)
                d = (uint32_t)(sum - N_CONSO);
            cnt[i] -= d;
            sum -= d;
        }
    }
    while (sum < N_CONSO) {
        uint32_t i = rng_below(&r, NC);
        if (cnt[i] < 600) {
            cnt[i]++;
            sum++;
        }
    }
    RS[0] = 0;
    for (uint32_t i = 0; i < NC; i++)
        RS[i + 1] = RS[i] + cnt[i];
    free(cnt);
    free(cw.cdf);

    ROW_SAB = xmalloc((size_t)N_CONSO);

    /* AUIs: a bijection of the row number onto [1000, P+1000) */
    AUI_P = N_CONSO + N_CONSO / 2 + 1000;
    while (!is_prime(AUI_P))
        AUI_P++;
    AUI_M = (AUI_P * 5) / 8 + 7;
    AUI_M %= AUI_P;
    if (AUI_M == 0)
        AUI_M = 1;

    /* string ids: every row creates at most one new key */
    KEY_P = KEY_BASE + N_CONSO + N_CONSO / 4 + 1000;
    while (!is_prime(KEY_P))
        KEY_P++;
    KEY_M = (KEY_P * 3) / 7 + 11;
    KEY_M %= KEY_P;
    if (KEY_M == 0)
        KEY_M = 1;
}

static inline uint64_t key_num(uint64_t key)
{
    return (key * KEY_M) % KEY_P + 1;
}

/* ------------------------------------------------------------------ */
/* MRCONSO                                                             */
/* ------------------------------------------------------------------ */
#define POOL_MAX 256
#define RING_N 4096

typedef struct {
    uint64_t key;
    uint8_t lang, style;
} pkey_t;

static pkey_t RING[NLANG][RING_N];
static uint32_t RING_FILL[NLANG];

static uint64_t g_next_key = KEY_BASE;

static const char *const CVF_VALUES[] = {"256", "4096", "8192", "2048", "1024", "16384", "260", "4352"};

static int style_for(int fam, const char *tty, int lang)
{
    if (tty[0] == 'A' && (tty[1] == 'B' || (tty[1] == 'C' && tty[2] == 'R')))
        return ST_ABBR;
    if (lang != 0)
        return ST_GEN;
    if (fam == F_LNC && strcmp(tty, "LN") == 0)
        return ST_LOINC;
    if (fam == F_RX) {
        if (!strcmp(tty, "SCD") || !strcmp(tty, "SBD") || !strcmp(tty, "SCDC") || !strcmp(tty, "SBDC") ||
            !strcmp(tty, "BPCK") || !strcmp(tty, "GPCK") || !strcmp(tty, "PSN") || !strcmp(tty, "SCDF") ||
            !strcmp(tty, "SBDF") || !strcmp(tty, "SY"))
            return ST_DRUG;
    }
    if (fam == F_DRUG && (!strcmp(tty, "CD") || !strcmp(tty, "BD") || !strcmp(tty, "MTH_CD") || !strcmp(tty, "PSN")))
        return ST_DRUG;
    return ST_GEN;
}

/* a key for a new string of the given language/style */
static pkey_t new_key(int lang, int style, struct rng *r)
{
    pkey_t k;
    k.lang = (uint8_t)lang;
    k.style = (uint8_t)style;
    double u = rng_unit(r);
    if (style == ST_GEN && u < 0.012) {
        /* short, very common strings ("Pain", "Fever", ...) */
        static wtab_t popw;
        static int init = 0;
        if (!init) {
            wtab_zipf(&popw, (int)POP_N, 2.0);
            init = 1;
        }
        k.key = POP_BASE + (uint64_t)lang * POP_N + (uint64_t)wtab_pick(&popw, r);
        return k;
    }
    if (u < 0.04 && RING_FILL[lang] >= 64) {
        /* a string already used by another concept */
        pkey_t e = RING[lang][rng_below(r, RING_FILL[lang] < RING_N ? RING_FILL[lang] : RING_N)];
        return e;
    }
    k.key = g_next_key++;
    if (rng_chance(r, 0.25)) {
        uint32_t pos = RING_FILL[lang] < RING_N ? RING_FILL[lang] : rng_below(r, RING_N);
        RING[lang][pos] = k;
        RING_FILL[lang]++;
    }
    return k;
}

static char *put_group_codes(int src, uint64_t gh, char *scui, char *sdui, char *code)
{
    /* writes NUL-terminated SCUI, SDUI and CODE for a source group */
    char *a = scui, *b = sdui, *c = code;
    int fam = SRC[src].fam;
    switch (fam) {
    case F_SN:
        a = put_u(a, gh % 900000000ULL + 1000000ULL);
        a = put_s(a, "00");
        *a++ = (char)('0' + (gh >> 40) % 10);
        c = put_m(c, scui, (size_t)(a - scui));
        break;
    case F_MSH:
        *a++ = 'M';
        a = put_upad(a, gh % 10000000ULL, 7);
        if ((gh >> 33) % 8 == 0) {
            *b++ = 'C';
            b = put_upad(b, gh % 1000000000ULL, 9);
        } else {
            *b++ = 'D';
            b = put_upad(b, (gh >> 7) % 1000000ULL, 6);
        }
        c = put_m(c, sdui, (size_t)(b - sdui));
        break;
    case F_MDR:
        a = put_s(a, "10");
        a = put_upad(a, gh % 1000000ULL, 6);
        c = put_m(c, scui, (size_t)(a - scui));
        break;
    case F_NCI:
        *a++ = 'C';
        a = put_u(a, gh % 190000ULL + 1000);
        c = put_m(c, scui, (size_t)(a - scui));
        break;
    case F_LNC:
        if ((gh >> 50) % 10 == 0) {
            a = put_s(a, "LP");
            a = put_u(a, gh % 400000ULL + 10000);
        } else {
            a = put_u(a, gh % 99999ULL + 1);
        }
        *a++ = '-';
        *a++ = (char)('0' + (gh >> 20) % 10);
        c = put_m(c, scui, (size_t)(a - scui));
        break;
    case F_RX:
        a = put_u(a, gh % 2500000ULL + 1);
        c = put_m(c, scui, (size_t)(a - scui));
        break;
    case F_ICD:
        if (strcmp(SRCDEF[src].sab, "ICD9CM") == 0 || strcmp(SRCDEF[src].sab, "MTHICD9") == 0) {
            c = put_upad(c, gh % 1000ULL, 3);
            if ((gh >> 30) % 4) {
                *c++ = '.';
                c = put_u(c, (gh >> 12) % 100ULL);
            }
        } else if (strcmp(SRCDEF[src].sab, "ICD10PCS") == 0) {
            static const char al[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
            uint64_t x = gh;
            for (int i = 0; i < 7; i++) {
                *c++ = al[x % 34];
                x /= 34;
            }
        } else {
            *c++ = (char)('A' + gh % 26);
            c = put_upad(c, (gh >> 8) % 100ULL, 2);
            if ((gh >> 30) % 10 < 7) {
                *c++ = '.';
                c = put_u(c, (gh >> 16) % ((gh >> 35) % 2 ? 10ULL : 100ULL));
            }
        }
        break;
    case F_MEDC:
        a = put_u(a, gh % 400000ULL + 1000);
        c = put_m(c, scui, (size_t)(a - scui));
        break;
    case F_MTH:
        c = put_s(c, "NOCODE");
        break;
    case F_DRUG:
        a = put_u(a, gh % 999999ULL + 1);
        c = put_m(c, scui, (size_t)(a - scui));
        break;
    default:
        switch ((gh >> 20) % 4) {
        case 0:
            c = put_u(c, gh % 100000ULL + 1);
            break;
        case 1:
            a = put_u(a, gh % 1000000ULL + 1);
            c = put_m(c, scui, (size_t)(a - scui));
            break;
        default: {
            const char *s = SRCDEF[src].sab;
            *a++ = upc(s[0]);
            *a++ = (s[1] >= 'A' && s[1] <= 'Z') ? s[1] : 'X';
            *a++ = ':';
            a = put_upad(a, gh % 10000000ULL, 7);
            c = put_m(c, scui, (size_t)(a - scui));
        }
        }
    }
    *a = 0;
    *b = 0;
    *c = 0;
    return code;
}

/* MRCONSO's writer, its stream, and what the rows of one concept share. */
typedef struct {
    writer_t w;
    struct rng R;
    pkey_t pool[POOL_MAX];       /* the concept's string keys so far */
    int npool;
    uint64_t *seen;              /* the concept's SUIs so far */
    size_t nseen, seen_cap;
    uint64_t first_key[NLANG];   /* the concept's first key per language */
    uint64_t rows_total, eng_total;
    uint32_t *last_concept;      /* per source: the last concept given a row */
    char cuis[16];
    size_t cuilen;
    char strbuf[1024];
} conso_t;

/* One group: rows of one source for one concept, sharing its codes. */
typedef struct {
    int lang, src, fam;
    const famdef_t *F;
    uint64_t gh;
    char scui[40], sdui[40], code[40];
    const char *pref_tty;
    pkey_t gkey0;
} cgroup_t;

/* One row's choices. */
typedef struct {
    const char *tty;
    char sup;
    pkey_t key;
    int v;                       /* string variant: 0 exact, 1-3 case/word variants, 4 FN */
} crow_t;

/* The language of group gno: English first when the concept has English,
 * then steered towards TARGET_ENG_SHARE. */
static int conso_lang(conso_t *c, int has_eng, int plang, int gno)
{
    if (has_eng && gno == 0)
        return 0;
    if (!has_eng)
        return rng_chance(&c->R, 0.75) ? plang : pick_noneng_lang(&c->R);
    double err = TARGET_ENG_SHARE - (c->rows_total ? (double)c->eng_total / (double)c->rows_total
                                                   : TARGET_ENG_SHARE);
    double q = 0.2 + 40.0 * err;
    if (q < 0.01)
        q = 0.01;
    if (q > 0.99)
        q = 0.99;
    return rng_chance(&c->R, q) ? 0 : pick_noneng_lang(&c->R);
}

/* Row k's term type and suppression flag. */
static void conso_tty(conso_t *c, const cgroup_t *g, uint32_t k, crow_t *r)
{
    if (k == 0)
        r->tty = g->pref_tty;
    else if (k == 1 && (g->fam == F_SN))
        r->tty = "FN";
    else
        r->tty = g->F->syn[rng_below(&c->R, (uint32_t)SRC[g->src].nsyn)];
    r->sup = 'N';
    double su = rng_unit(&c->R);
    if (su < 0.035) {
        r->sup = 'O';
        if (SRC[g->src].nobs)
            r->tty = g->F->obs[rng_below(&c->R, (uint32_t)SRC[g->src].nobs)];
    } else if (su < 0.041) {
        r->sup = 'E';
    } else if (su < 0.05) {
        r->sup = 'Y';
    }
}

/* Row k's string: a key of the concept's pool again (often, with a variant)
 * or a new one. */
static void conso_key(conso_t *c, cgroup_t *g, uint32_t k, crow_t *r)
{
    int style = style_for(g->fam, r->tty, g->lang);
    int script = LANGS[g->lang].script;
    r->v = 0;
    if (g->fam == F_SN && !strcmp(r->tty, "FN") && k > 0 && g->gkey0.key) {
        r->key = g->gkey0;
        r->v = 4;
        return;
    }
    int reuse = -1;
    double pre = k == 0 ? 0.65 : 0.30;
    if (c->npool && rng_chance(&c->R, pre)) {
        int m = 0, cand[POOL_MAX];
        for (int t = 0; t < c->npool; t++)
            if (c->pool[t].lang == g->lang && c->pool[t].style == style)
                cand[m++] = t;
        if (m)
            reuse = cand[rng_chance(&c->R, 0.6) ? 0 : rng_below(&c->R, (uint32_t)m)];
    }
    if (reuse < 0) {
        r->key = new_key(g->lang, style, &c->R);
        if (c->npool < POOL_MAX)
            c->pool[c->npool++] = r->key;
        return;
    }
    r->key = c->pool[reuse];
    if (r->key.style == ST_GEN) {
        double vu = rng_unit(&c->R);
        if (script == SC_LATIN)
            r->v = vu < 0.70 ? 0 : vu < 0.79 ? 1 : vu < 0.85 ? 2 : 3;
        else if (script == SC_SPACED)
            r->v = vu < 0.85 ? 0 : 3;
    }
}

/* Write the row of group g at AUI row. */
static void conso_line(conso_t *c, const cgroup_t *g, const crow_t *r, uint32_t k, uint64_t row)
{
    /* LUI: normalized string (variants 0-3 share it, 4 has its own);
       SUI: exact string (one per key and variant) */
    uint64_t kn = key_num(r->key.key);
    uint64_t lid = r->v == 4 ? KEY_P + kn : kn;
    uint64_t sid = r->v == 0 ? kn : KEY_P + kn * 4 + (uint64_t)(r->v - 1);
    int ispref = 1;
    for (size_t t = 0; t < c->nseen; t++)
        if (c->seen[t] == sid) {
            ispref = 0;
            break;
        }
    if (ispref)
        c->seen[c->nseen++] = sid;
    int slen = gen_str(c->strbuf, r->key.key, r->key.lang, r->key.style, r->v);
    const int src = g->src, fam = g->fam;
    uint64_t h = rng_mix(g->gh + k + 1);
    char *p = w_line(&c->w);
    p = put_m(p, c->cuis, c->cuilen);
    PIPE(p);
    p = put_m(p, LANGS[g->lang].code, 3);
    PIPE(p);
    *p++ = (r->key.key == c->first_key[g->lang] && r->v != 4) ? 'P' : 'S';
    PIPE(p);
    *p++ = 'L';
    p = put_upad(p, lid, 7);
    PIPE(p);
    p = put_s(p, r->v == 0 || r->v == 4 ? "PF" : r->v == 3 ? "VO" : "VC");
    PIPE(p);
    *p++ = 'S';
    p = put_upad(p, sid, 7);
    PIPE(p);
    *p++ = ispref ? 'Y' : 'N';
    PIPE(p);
    *p++ = 'A';
    p = put_upad(p, aui_num(row), 7);
    PIPE(p);
    /* SAUI */
    if (fam == F_SN) {
        p = put_u(p, h % 9000000ULL + 1000000ULL);
        p = put_s(p, "01");
        *p++ = (h >> 40) & 1 ? '6' : '1';
    } else if (fam == F_RX || (fam == F_DRUG && (h >> 32) % 5 < 2)) {
        p = put_u(p, h % 9000000ULL + 1000000ULL);
    }
    PIPE(p);
    p = put_s(p, g->scui);
    PIPE(p);
    p = put_s(p, g->sdui);
    PIPE(p);
    p = put_s(p, SRCDEF[src].sab);
    PIPE(p);
    p = put_s(p, r->tty);
    PIPE(p);
    p = put_s(p, g->code);
    PIPE(p);
    p = put_m(p, c->strbuf, (size_t)slen);
    PIPE(p);
    p = put_u(p, (uint64_t)SRC[src].srl);
    PIPE(p);
    *p++ = r->sup;
    PIPE(p);
    if ((h >> 24) % 100 < 18)
        p = put_s(p, CVF_VALUES[(h >> 8) % 8]);
    PIPE(p);
    *p++ = '\n';
    w_commit(&c->w, p);
}

/* Group gno of concept i: its source and codes, at most cnt - done rows.
 * @return its size. */
static uint32_t conso_group(conso_t *c, cgroup_t *g, uint32_t i, int gno, uint32_t left)
{
    static const uint32_t GX[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8};
    g->src = pick_src(g->lang, &c->R);
    g->fam = SRC[g->src].fam;
    g->F = &FAMS[g->fam];
    uint32_t gsize = GX[rng_below(&c->R, (uint32_t)(sizeof GX / sizeof GX[0]))];
    if (gsize > left)
        gsize = left;
    g->gh = hseed(21, ((uint64_t)i << 8) | (uint64_t)g->src, (uint64_t)gno);
    put_group_codes(g->src, g->gh, g->scui, g->sdui, g->code);
    g->pref_tty = g->F->pref[g->gh % (uint64_t)SRC[g->src].npref];
    if (c->last_concept[g->src] != i) {
        c->last_concept[g->src] = i;
        SRC_CFR[g->src]++;
    }
    g->gkey0 = (pkey_t){0, 0, 0};
    return gsize;
}

/* Every row of concept i. */
static void conso_concept(conso_t *c, uint32_t i)
{
    uint32_t cnt = RS[i + 1] - RS[i];
    uint64_t row = RS[i];
    int has_eng = rng_chance(&c->R, cnt == 1 ? 0.65 : 0.88);
    int plang = pick_noneng_lang(&c->R);
    c->npool = 0;
    c->nseen = 0;
    if (cnt > c->seen_cap) {
        c->seen_cap = cnt;
        c->seen = xrealloc(c->seen, c->seen_cap * sizeof(uint64_t));
    }
    for (int l = 0; l < NLANG; l++)
        c->first_key[l] = 0;
    c->cuis[0] = 'C';
    *put_upad(c->cuis + 1, CUI[i], 7) = 0;
    c->cuilen = strlen(c->cuis);
    for (uint32_t done = 0, gno = 0; done < cnt; gno++) {
        cgroup_t g;
        g.lang = conso_lang(c, has_eng, plang, (int)gno);
        uint32_t gsize = conso_group(c, &g, i, (int)gno, cnt - done);
        for (uint32_t k = 0; k < gsize; k++, row++) {
            crow_t r;
            conso_tty(c, &g, k, &r);
            conso_key(c, &g, k, &r);
            if (k == 0)
                g.gkey0 = r.key;
            if (!c->first_key[g.lang])
                c->first_key[g.lang] = r.key.key;
            conso_line(c, &g, &r, k, row);
            ROW_SAB[row] = (uint8_t)g.src;
            SRC_TFR[g.src]++;
            c->rows_total++;
            if (g.lang == 0)
                c->eng_total++;
        }
        done += gsize;
    }
}

static void write_mrconso(const char *dir, int plain, int level)
{
    static conso_t c; /* the pool and the string buffer are large */
    memset(&c, 0, sizeof c);
    w_open(&c.w, dir, "MRCONSO.RRF", plain, level);
    rng_seed(&c.R, hseed(20, 0, 0), 0);
    c.seen_cap = 1024;
    c.seen = xmalloc(c.seen_cap * sizeof(uint64_t));
    SRC_TFR = xcalloc(NSRC, sizeof *SRC_TFR);
    SRC_CFR = xcalloc(NSRC, sizeof *SRC_CFR);
    c.last_concept = xmalloc(NSRC * sizeof(uint32_t));
    for (int s = 0; s < NSRC; s++)
        c.last_concept[s] = UINT32_MAX;
    for (uint32_t i = 0; i < NC; i++)
        conso_concept(&c, i);
    free(c.seen);
    free(c.last_concept);
    w_close(&c.w);
    fprintf(stderr, "  MRCONSO: %u concepts, ENG rows %.1f%%, distinct string keys %llu\n", NC,
            100.0 * (double)c.eng_total / (double)(c.rows_total ? c.rows_total : 1),
            (unsigned long long)(g_next_key - KEY_BASE));
}

/* ------------------------------------------------------------------ */
/* MRSTY                                                               */
/* ------------------------------------------------------------------ */
typedef struct {
    const char *tui, *stn, *sty;
    double w; /* relative frequency (thousands of concepts) */
} sty_t;

static const sty_t STYS[] = {
    {"T109", "A1.4.1.2.1", "Organic Chemical", 900}, {"T116", "A1.4.1.2.1.7", "Amino Acid, Peptide, or Protein", 800},
    {"T204", "A1.1.3", "Eukaryote", 700}, {"T121", "A1.4.1.1.1", "Pharmacologic Substance", 550},
    {"T033", "A2.2", "Finding", 450}, {"T200", "A1.3.3", "Clinical Drug", 400},
    {"T061", "B1.3.1.3", "Therapeutic or Preventive Procedure", 300}, {"T047", "B2.2.1.2.1", "Disease or Syndrome", 280},
    {"T059", "B1.3.1.1", "Laboratory Procedure", 250}, {"T028", "A1.2.3.5", "Gene or Genome", 230},
    {"T129", "A1.4.1.1.3.5", "Immunologic Factor", 200}, {"T201", "A2.3.1", "Clinical Attribute", 170},
    {"T023", "A1.2.3.1", "Body Part, Organ, or Organ Component", 160}, {"T170", "A2.4", "Intellectual Product", 150},
    {"T060", "B1.3.1.2", "Diagnostic Procedure", 140}, {"T007", "A1.1.2", "Bacterium", 140},
    {"T126", "A1.4.1.1.3.3", "Enzyme", 130}, {"T123", "A1.4.1.1.3", "Biologically Active Substance", 130},
    {"T037", "B2.3", "Injury or Poisoning", 120}, {"T005", "A1.1.4", "Virus", 110},
    {"T191", "B2.2.1.2.1.2", "Neoplastic Process", 100}, {"T074", "A1.3.1", "Medical Device", 80},
    {"T114", "A1.4.1.2.1.5", "Nucleic Acid, Nucleoside, or Nucleotide", 70}, {"T184", "A2.2.2", "Sign or Symptom", 60},
    {"T034", "A2.2.1", "Laboratory or Test Result", 55}, {"T080", "A2.1.2", "Qualitative Concept", 50},
    {"T081", "A2.1.3", "Quantitative Concept", 45}, {"T046", "B2.2.1.2", "Pathologic Function", 40},
    {"T197", "A1.4.1.2.2", "Inorganic Chemical", 40}, {"T048", "B2.2.1.2.1.1", "Mental or Behavioral Dysfunction", 38},
    {"T019", "A1.2.2.1", "Congenital Abnormality", 35}, {"T082", "A2.1.5", "Spatial Concept", 35},
    {"T169", "A2.1.4", "Functional Concept", 34}, {"T025", "A1.2.3.3", "Cell", 32},
    {"T044", "B2.2.1.1.4", "Molecular Function", 30}, {"T043", "B2.2.1.1.3", "Cell Function", 28},
    {"T130", "A1.4.1.1.4", "Indicator, Reagent, or Diagnostic Aid", 28}, {"T029", "A2.1.5.2", "Body Location or Region", 27},
    {"T026", "A1.2.3.4", "Cell Component", 26}, {"T030", "A2.1.5.1", "Body Space or Junction", 24},
    {"T079", "A2.1.1", "Temporal Concept", 23}, {"T078", "A2.1", "Idea or Concept", 22},
    {"T131", "A1.4.1.1.5", "Hazardous or Poisonous Substance", 21}, {"T058", "B1.3.1", "Health Care Activity", 20},
    {"T196", "A1.4.1.2.3", "Element, Ion, or Isotope", 20}, {"T125", "A1.4.1.1.3.2", "Hormone", 19},
    {"T192", "A1.4.1.1.3.6", "Receptor", 18}, {"T004", "A1.1.3.2", "Fungus", 18},
    {"T002", "A1.1.3.3", "Plant", 18}, {"T024", "A1.2.3.2", "Tissue", 17},
    {"T063", "B1.3.2.1", "Molecular Biology Research Technique", 16}, {"T045", "B2.2.1.1.4.1", "Genetic Function", 15},
    {"T042", "B2.2.1.1.2", "Organ or Tissue Function", 15}, {"T039", "B2.2.1.1", "Physiologic Function", 14},
    {"T020", "A1.2.2.2", "Acquired Abnormality", 14}, {"T049", "B2.2.1.2.2", "Cell or Molecular Dysfunction", 13},
    {"T122", "A1.4.1.1.2", "Biomedical or Dental Material", 12}, {"T195", "A1.4.1.1.1.1", "Antibiotic", 12},
    {"T031", "A1.4.2", "Body Substance", 12}, {"T168", "A1.4.3", "Food", 11},
    {"T073", "A1.3", "Manufactured Object", 11}, {"T062", "B1.3.2", "Research Activity", 10},
    {"T041", "B2.2.1.1.1.1", "Mental Process", 10}, {"T040", "B2.2.1.1.1", "Organism Function", 9},
    {"T097", "A2.9.1", "Professional or Occupational Group", 9}, {"T098", "A2.9.2", "Population Group", 9},
    {"T015", "A1.1.3.1.1.4", "Mammal", 9}, {"T013", "A1.1.3.1.1.3", "Fish", 8},
    {"T012", "A1.1.3.1.1.2", "Bird", 7}, {"T014", "A1.1.3.1.1.5", "Reptile", 6},
    {"T011", "A1.1.3.1.1.1", "Amphibian", 5}, {"T008", "A1.1.3.1", "Animal", 5},
    {"T010", "A1.1.3.1.1", "Vertebrate", 3}, {"T016", "A1.1.3.1.1.4.1", "Human", 2},
    {"T194", "A1.1.1", "Archaeon", 6}, {"T001", "A1.1", "Organism", 4},
    {"T017", "A1.2", "Anatomical Structure", 5}, {"T018", "A1.2.1", "Embryonic Structure", 5},
    {"T190", "A1.2.2", "Anatomical Abnormality", 5}, {"T021", "A1.2.3", "Fully Formed Anatomical Structure", 3},
    {"T022", "A2.1.4.1", "Body System", 2}, {"T203", "A1.3.1.1", "Drug Delivery Device", 6},
    {"T075", "A1.3.2", "Research Device", 2}, {"T167", "A1.4", "Substance", 8},
    {"T103", "A1.4.1", "Chemical", 4}, {"T120", "A1.4.1.1", "Chemical Viewed Functionally", 3},
    {"T104", "A1.4.1.2", "Chemical Viewed Structurally", 3}, {"T127", "A1.4.1.1.3.4", "Vitamin", 3},
    {"T077", "A2", "Conceptual Entity", 6}, {"T085", "A2.1.5.3", "Molecular Sequence", 2},
    {"T086", "A2.1.5.3.1", "Nucleotide Sequence", 6}, {"T087", "A2.1.5.3.2", "Amino Acid Sequence", 3},
    {"T088", "A2.1.5.3.3", "Carbohydrate Sequence", 1}, {"T083", "A2.1.5.4", "Geographic Area", 8},
    {"T032", "A2.3", "Organism Attribute", 4}, {"T185", "A2.4.1", "Classification", 7},
    {"T089", "A2.4.2", "Regulation or Law", 3}, {"T171", "A2.5", "Language", 2},
    {"T090", "A2.6", "Occupation or Discipline", 3}, {"T091", "A2.6.1", "Biomedical Occupation or Discipline", 4},
    {"T092", "A2.7", "Organization", 4}, {"T093", "A2.7.1", "Health Care Related Organization", 4},
    {"T094", "A2.7.2", "Professional Society", 2}, {"T095", "A2.7.3", "Self-help or Relief Organization", 1},
    {"T102", "A2.8", "Group Attribute", 1}, {"T096", "A2.9", "Group", 2},
    {"T099", "A2.9.3", "Family Group", 2}, {"T100", "A2.9.4", "Age Group", 2},
    {"T101", "A2.9.5", "Patient or Disabled Group", 2}, {"T071", "A", "Entity", 2},
    {"T072", "A1", "Physical Object", 2}, {"T051", "B", "Event", 2},
    {"T052", "B1", "Activity", 5}, {"T053", "B1.1", "Behavior", 3},
    {"T054", "B1.1.1", "Social Behavior", 4}, {"T055", "B1.1.2", "Individual Behavior", 4},
    {"T056", "B1.2", "Daily or Recreational Activity", 5}, {"T057", "B1.3", "Occupational Activity", 4},
    {"T064", "B1.3.3", "Governmental or Regulatory Activity", 3}, {"T065", "B1.3.4", "Educational Activity", 4},
    {"T066", "B1.4", "Machine Activity", 2}, {"T067", "B2", "Phenomenon or Process", 4},
    {"T068", "B2.1", "Human-caused Phenomenon or Process", 2}, {"T069", "B2.1.1", "Environmental Effect of Humans", 1},
    {"T070", "B2.2", "Natural Phenomenon or Process", 5}, {"T038", "B2.2.1", "Biologic Function", 3},
    {"T050", "B2.2.1.2.3", "Experimental Model of Disease", 2},
};
#define NSTY ((int)(sizeof STYS / sizeof STYS[0]))

static int sty_index(const char *tui)
{
    for (int i = 0; i < NSTY; i++)
        if (!strcmp(STYS[i].tui, tui))
            return i;
    return 0;
}

static void write_mrsty(const char *dir, int plain, int level)
{
    writer_t w;
    w_open(&w, dir, "MRSTY.RRF", plain, level);
    struct rng R;
    rng_seed(&R, hseed(30, 0, 0), 0);
    double wts[NSTY];
    for (int i = 0; i < NSTY; i++)
        wts[i] = STYS[i].w;
    wtab_t sw;
    wtab_init(&sw, wts, NSTY);
    /* frequent second types for some first types */
    int t116 = sty_index("T116"), t109 = sty_index("T109"), t121 = sty_index("T121"),
        t126 = sty_index("T126"), t129 = sty_index("T129"), t123 = sty_index("T123"),
        t197 = sty_index("T197"), t131 = sty_index("T131"), t047 = sty_index("T047"),
        t191 = sty_index("T191"), t033 = sty_index("T033"), t184 = sty_index("T184"),
        t130 = sty_index("T130"), t196 = sty_index("T196");
    uint64_t atui = 10000000ULL;
    uint64_t left = N_STY;
    for (uint32_t i = 0; i < NC; i++) {
        uint64_t cl = NC - i;
        double m = (double)left / (double)cl; /* 1..3 */
        int n;
        if (cl == 1) {
            n = (int)left;
        } else {
            double extra = m - 1.0;
            double p3 = extra * 0.12, p2 = extra - 2 * p3;
            if (p2 < 0)
                p2 = 0;
            double u = rng_unit(&R);
            n = u < p3 ? 3 : (u < p3 + p2 ? 2 : 1);
        }
        if ((uint64_t)n > left - (cl - 1))
            n = (int)(left - (cl - 1));
        if ((uint64_t)n * 1 + 3 * (cl - 1) < left)
            n = 3;
        if (n < 1)
            n = 1;
        if (n > 3)
            n = 3;
        left -= (uint64_t)n;
        int got[3];
        for (int k = 0; k < n; k++) {
            int t;
            for (;;) {
                t = wtab_pick(&sw, &R);
                if (k > 0 && rng_chance(&R, 0.6)) {
                    int f = got[0];
                    if (f == t116)
                        t = rng_chance(&R, 0.5) ? t126 : (rng_chance(&R, 0.5) ? t129 : t123);
                    else if (f == t109)
                        t = rng_chance(&R, 0.6) ? t121 : (rng_chance(&R, 0.5) ? t123 : t131);
                    else if (f == t121)
                        t = rng_chance(&R, 0.7) ? t109 : t197;
                    else if (f == t047)
                        t = rng_chance(&R, 0.5) ? t191 : t033;
                    else if (f == t033)
                        t = t184;
                    else if (f == t197)
                        t = rng_chance(&R, 0.5) ? t196 : t130;
                }
                int dup = 0;
                for (int q = 0; q < k; q++)
                    if (got[q] == t)
                        dup = 1;
                if (!dup)
                    break;
            }
            got[k] = t;
            char *p = w_line(&w);
            *p++ = 'C';
            p = put_upad(p, CUI[i], 7);
            PIPE(p);
            p = put_s(p, STYS[t].tui);
            PIPE(p);
            p = put_s(p, STYS[t].stn);
            PIPE(p);
            p = put_s(p, STYS[t].sty);
            PIPE(p);
            p = put_s(p, "AT");
            atui += 1 + rng_below(&R, 3);
            p = put_upad(p, atui, 8);
            PIPE(p);
            if (rng_chance(&R, 0.05))
                p = put_s(p, "256");
            PIPE(p);
            *p++ = '\n';
            w_commit(&w, p);
        }
    }
    free(sw.cdf);
    w_close(&w);
}

/* ------------------------------------------------------------------ */
/* MRREL                                                               */
/* ------------------------------------------------------------------ */
enum { RC_HIER, RC_RO, RC_SY, RC_SIB, RC_AQ, RC_RQ, NRC };

typedef struct {
    const char *rel, *inv;
    int cat;
    int swap; /* use relationship-attribute pairs in reverse order */
    double w;
    double p_empty;
} reldef_t;

static const reldef_t RELS[] = {
    {"PAR", "CHD", RC_HIER, 0, 14, 0.30}, {"CHD", "PAR", RC_HIER, 1, 10, 0.30},
    {"RB", "RN", RC_HIER, 0, 7, 0.55},    {"RN", "RB", RC_HIER, 1, 5, 0.55},
    {"RO", "RO", RC_RO, 0, 22, 0.10},     {"SY", "SY", RC_SY, 0, 7, 0.40},
    {"AQ", "QB", RC_AQ, 0, 4, 0.97},      {"QB", "AQ", RC_AQ, 1, 2, 0.97},
    {"SIB", "SIB", RC_SIB, 0, 24, 0.90},  {"RQ", "RQ", RC_RQ, 0, 5, 0.60},
};
#define NREL ((int)(sizeof RELS / sizeof RELS[0]))

/* attribute pairs (forward, inverse) per category */
static const char *const RELA_HIER[] = {
    "inverse_isa", "isa", "has_part", "part_of", "has_component", "component_of", "has_member",
    "member_of", "has_tradename", "tradename_of", "has_branch", "branch_of", "has_constitutional_part",
    "constitutional_part_of", "has_regional_part", "regional_part_of", "has_systemic_part",
    "systemic_part_of", "has_subdivision", "subdivision_of", "has_segment", "segment_of",
    "has_tributary", "tributary_of", NULL};
static const char *const RELA_RO[] = {
    "has_finding_site", "finding_site_of", "has_associated_morphology", "associated_morphology_of",
    "has_causative_agent", "causative_agent_of", "has_method", "method_of", "has_procedure_site",
    "procedure_site_of", "has_direct_procedure_site", "direct_procedure_site_of",
    "has_indirect_procedure_site", "indirect_procedure_site_of", "has_pathological_process",
    "pathological_process_of", "has_interpretation", "interpretation_of", "has_interprets",
    "is_interpreted_by", "has_system", "system_of", "has_property", "property_of", "has_scale",
    "scale_of", "has_time_aspect", "time_aspect_of", "may_treat", "may_be_treated_by",
    "may_prevent", "may_be_prevented_by", "contraindicated_with_disease", "has_contraindicated_drug",
    "has_mechanism_of_action", "mechanism_of_action_of", "has_physiologic_effect",
    "physiologic_effect_of", "has_dose_form", "dose_form_of", "has_ingredient", "ingredient_of",
    "has_active_ingredient", "active_ingredient_of", "has_precise_ingredient",
    "precise_ingredient_of", "consists_of", "constitutes", "has_quantified_form",
    "quantified_form_of", "has_doseformgroup", "doseformgroup_of", "gene_encodes_gene_product",
    "gene_product_encoded_by_gene", "gene_plays_role_in_process", "process_involves_gene",
    "disease_has_associated_anatomic_site", "is_associated_anatomic_site_of", "disease_has_finding",
    "is_finding_of_disease", "disease_may_have_finding", "may_be_finding_of_disease",
    "has_occurrence", "occurrence_of", "has_clinical_course", "clinical_course_of", "has_severity",
    "severity_of", "has_laterality", "laterality_of", "has_focus", "focus_of",
    "has_temporal_context", "temporal_context_of", "has_associated_finding",
    "associated_finding_of", "due_to", "cause_of", "has_location", "location_of",
    "has_manifestation", "manifestation_of", "analyzes", "analyzed_by", "measures", "measured_by",
    "has_specimen", "specimen_of", "has_direct_substance", "direct_substance_of",
    "has_direct_device", "direct_device_of", "uses_device", "device_used_by", "has_access",
    "access_of", "has_approach", "approach_of", "has_intent", "intent_of", "has_arterial_supply",
    "arterial_supply_of", "has_venous_drainage", "venous_drainage_of", "has_innervation_source",
    "innervation_source_of", "continuous_with", "continuous_with", "plays_role", "role_played_by",
    NULL};
static const char *const RELA_SY[] = {
    "mapped_to", "mapped_from", "same_as", "same_as", "permuted_term_of", "has_permuted_term",
    "expanded_form_of", "has_expanded_form", "has_translation", "translation_of",
    "sort_version_of", "has_sort_version", "entry_version_of", "has_entry_version", "replaced_by",
    "replaces", "possibly_equivalent_to", "possibly_equivalent_to", NULL};
static const char *const RELA_SIB[] = {
    "sib_in_isa", "sib_in_isa", "sib_in_part_of", "sib_in_part_of", "sib_in_branch_of",
    "sib_in_branch_of", "sib_in_tributary_of", "sib_in_tributary_of", NULL};
static const char *const RELA_AQ[] = {"has_qualifier", "qualifier_of", NULL};
static const char *const RELA_RQ[] = {
    "classified_as", "classifies", "mapped_to", "mapped_from", "clinically_similar",
    "clinically_similar", "has_alias", "alias_of", "was_a", "inverse_was_a", "moved_to",
    "moved_from", NULL};

static const char *const *const RELA_BY_CAT[NRC] = {
    [RC_HIER] = RELA_HIER, [RC_RO] = RELA_RO, [RC_SY] = RELA_SY,
    [RC_SIB] = RELA_SIB,   [RC_AQ] = RELA_AQ, [RC_RQ] = RELA_RQ,
};
static int RELA_NPAIR[NRC];
static wtab_t RELA_W[NRC];
static wtab_t REL_W;
static wtab_t HUB_W;
static uint32_t N_HUB;

typedef struct {
    int rel;
    const char *rela_f, *rela_i; /* NULL = empty */
    int cui_level;
    int sab;
    uint32_t n_ai, n_aj;
    int aj_any;
    uint32_t oi, oj;
    uint32_t cap;
    int d_raw, inv;
    char rg, dir, sup;
    int cvf;
    int srui;
    int stype_alt;
    uint64_t h;
} grp_t;

static inline uint32_t count_sab_atoms(uint32_t c, int sab)
{
    uint32_t n = 0;
    for (uint32_t r = RS[c]; r < RS[c + 1]; r++)
        n += ROW_SAB[r] == (uint8_t)sab;
    return n;
}

static inline uint32_t nth_sab_atom(uint32_t c, int sab, uint32_t k)
{
    for (uint32_t r = RS[c]; r < RS[c + 1]; r++)
        if (ROW_SAB[r] == (uint8_t)sab) {
            if (k == 0)
                return r;
            k--;
        }
    return RS[c];
}

static const int DUP_X[] = {1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 6, 8};

/*
 * A relation group (one concept-level relation, its AUI-level duplicates and
 * its inverse) is a pure function of its index G, its source concept i and
 * its target j.  The head (everything that does not depend on j, including
 * the SAB) is drawn first so that pass 1 can choose j among concepts that
 * have atoms of that SAB.
 */
static void resolve_head(uint32_t G, uint32_t i, grp_t *g, struct rng *rp)
{
    struct rng r;
    rng_seed(&r, hseed(40, G, 0), 0);
    g->h = rng_next(&r);
    g->rel = wtab_pick(&REL_W, &r);
    const reldef_t *D = &RELS[g->rel];
    g->rela_f = g->rela_i = NULL;
    if (!rng_chance(&r, D->p_empty)) {
        int k = wtab_pick(&RELA_W[D->cat], &r);
        const char *a = RELA_BY_CAT[D->cat][2 * k], *b = RELA_BY_CAT[D->cat][2 * k + 1];
        g->rela_f = D->swap ? b : a;
        g->rela_i = D->swap ? a : b;
    }
    g->cui_level = rng_chance(&r, 0.03);
    if (g->cui_level) {
        g->sab = SRC_MTH;
        g->n_ai = 1;
    } else {
        uint32_t ci = RS[i + 1] - RS[i];
        uint32_t r1 = RS[i] + rng_below(&r, ci);
        g->sab = ROW_SAB[r1];
        g->n_ai = count_sab_atoms(i, g->sab);
    }
    *rp = r;
}

static void resolve_tail(uint32_t j, grp_t *g, struct rng *rp)
{
    struct rng r = *rp;
    if (g->cui_level) {
        g->n_aj = 1;
        g->aj_any = 0;
        g->oi = g->oj = 0;
        g->cap = 1;
    } else {
        g->n_aj = count_sab_atoms(j, g->sab);
        g->aj_any = 0;
        if (g->n_aj == 0) {
            g->aj_any = 1;
            g->n_aj = RS[j + 1] - RS[j];
        }
        g->oi = rng_below(&r, g->n_ai);
        g->oj = rng_below(&r, g->n_aj);
        uint64_t cap = (uint64_t)g->n_ai * g->n_aj;
        g->cap = cap > 255 ? 255 : (uint32_t)cap;
    }
    g->d_raw = DUP_X[rng_below(&r, (uint32_t)(sizeof DUP_X / sizeof DUP_X[0]))];
    g->inv = rng_chance(&r, 0.93);
    double u = rng_unit(&r);
    g->rg = u < 0.2 ? (char)('0' + rng_below(&r, 4)) : 0;
    u = rng_unit(&r);
    g->dir = u < 0.10 ? 'Y' : (u < 0.12 ? 'N' : 0);
    u = rng_unit(&r);
    g->sup = u < 0.965 ? 'N' : (u < 0.985 ? 'O' : (u < 0.993 ? 'E' : 'Y'));
    g->cvf = rng_chance(&r, 0.03) ? (int)rng_below(&r, 3) + 1 : 0;
    int fam = SRC[g->sab].fam;
    g->srui = fam == F_SN ? rng_chance(&r, 0.5) : rng_chance(&r, 0.03);
    g->stype_alt = !g->cui_level && rng_chance(&r, fam == F_SN || fam == F_MSH ? 0.5 : 0.15);
}

static void resolve_group(uint32_t G, uint32_t i, uint32_t j, grp_t *g)
{
    struct rng r;
    resolve_head(G, i, g, &r);
    resolve_tail(j, g, &r);
}

static uint64_t g_rui = 100000;

static void emit_rel_rows(writer_t *w, const grp_t *g, uint32_t c1, uint32_t c2, int d, int inverse, struct rng *R)
{
    /* forward: c1 = source concept i, c2 = target j; inverse: roles swapped */
    uint32_t ci = inverse ? c2 : c1, cj = inverse ? c1 : c2;
    const reldef_t *D = &RELS[g->rel];
    const char *rel = inverse ? D->inv : D->rel;
    const char *rela = inverse ? g->rela_i : g->rela_f;
    const char *stype = g->cui_level ? "CUI" : (g->stype_alt ? FAMS[SRC[g->sab].fam].stype : "AUI");
    if (!g->cui_level && !strcmp(stype, "CUI"))
        stype = "AUI";
    static const char *const RCVF[] = {"", "4096", "256", "16384"};
    for (int k = 0; k < d; k++) {
        uint64_t a_i = 0, a_j = 0;
        if (!g->cui_level) {
            uint32_t xi = (g->oi + (uint32_t)k) % g->n_ai;
            uint32_t xj = (g->oj + (uint32_t)k / g->n_ai) % g->n_aj;
            uint32_t ri = nth_sab_atom(ci, g->sab, xi);
            uint32_t rj = g->aj_any ? RS[cj] + xj : nth_sab_atom(cj, g->sab, xj);
            a_i = aui_num(ri);
            a_j = aui_num(rj);
        }
        uint64_t a1 = inverse ? a_j : a_i, a2 = inverse ? a_i : a_j;
        char *p = w_line(w);
        *p++ = 'C';
        p = put_upad(p, CUI[c1], 7);
        PIPE(p);
        if (!g->cui_level) {
            *p++ = 'A';
            p = put_upad(p, a1, 7);
        }
        PIPE(p);
        p = put_s(p, stype);
        PIPE(p);
        p = put_s(p, rel);
        PIPE(p);
        *p++ = 'C';
        p = put_upad(p, CUI[c2], 7);
        PIPE(p);
        if (!g->cui_level) {
            *p++ = 'A';
            p = put_upad(p, a2, 7);
        }
        PIPE(p);
        p = put_s(p, stype);
        PIPE(p);
        if (rela)
            p = put_s(p, rela);
        PIPE(p);
        *p++ = 'R';
        g_rui += 1 + rng_below(R, 3);
        p = put_upad(p, g_rui, 8);
        PIPE(p);
        if (g->srui)
            p = put_u(p, rng_mix(g->h + (uint64_t)k * 2 + (uint64_t)inverse) % 900000000ULL + 1000000ULL);
        PIPE(p);
        p = put_s(p, SRCDEF[g->sab].sab);
        PIPE(p);
        p = put_s(p, SRCDEF[g->sab].sab);
        PIPE(p);
        if (g->rg)
            *p++ = g->rg;
        PIPE(p);
        if (g->dir)
            *p++ = g->dir;
        PIPE(p);
        *p++ = g->sup;
        PIPE(p);
        p = put_s(p, RCVF[g->cvf]);
        PIPE(p);
        *p++ = '\n';
        w_commit(w, p);
    }
}

/* concepts having atoms of each source (CSR, concept indices ascending) */
static uint64_t *SCL_START;
static uint32_t *SCL;

static void build_source_concepts(void)
{
    SCL_START = xcalloc((size_t)NSRC + 1, sizeof *SCL_START);
    uint32_t *last = xmalloc((size_t)NSRC * sizeof *last);
    for (int s = 0; s < NSRC; s++)
        last[s] = UINT32_MAX;
    for (uint32_t i = 0; i < NC; i++)
        for (uint32_t r = RS[i]; r < RS[i + 1]; r++)
            if (last[ROW_SAB[r]] != i) {
                last[ROW_SAB[r]] = i;
                SCL_START[ROW_SAB[r] + 1]++;
            }
    for (int s = 0; s < NSRC; s++)
        SCL_START[s + 1] += SCL_START[s];
    uint64_t *fill = xmalloc((size_t)NSRC * sizeof *fill);
    memcpy(fill, SCL_START, (size_t)NSRC * sizeof *fill);
    SCL = xmalloc((size_t)(SCL_START[NSRC] ? SCL_START[NSRC] : 1) * sizeof *SCL);
    for (int s = 0; s < NSRC; s++)
        last[s] = UINT32_MAX;
    for (uint32_t i = 0; i < NC; i++)
        for (uint32_t r = RS[i]; r < RS[i + 1]; r++)
            if (last[ROW_SAB[r]] != i) {
                last[ROW_SAB[r]] = i;
                SCL[fill[ROW_SAB[r]]++] = i;
            }
    free(fill);
    free(last);
}

/* target concept of a relation group from concept i with the given SAB */
static uint32_t pick_target(uint32_t i, const grp_t *g, struct rng *R)
{
    const uint32_t *L = SCL + SCL_START[g->sab];
    uint64_t n = SCL_START[g->sab + 1] - SCL_START[g->sab];
    double u = rng_unit(R);
    uint32_t j;
    if (g->cui_level || n < 2 || u < 0.08) {
        /* any concept */
        double v = rng_unit(R);
        if (v < 0.25) {
            j = (uint32_t)(rng_mix(g_seed ^ (0xABCDULL + (uint64_t)wtab_pick(&HUB_W, R))) % NC);
        } else if (v < 0.6) {
            int64_t off = 1 + (int64_t)rng_below(R, 200);
            int64_t jj = rng_chance(R, 0.5) ? (int64_t)i + off : (int64_t)i - off;
            if (jj < 0 || jj >= (int64_t)NC)
                jj = (int64_t)rng_below(R, NC);
            j = (uint32_t)jj;
        } else {
            j = rng_below(R, NC);
        }
    } else if (u < 0.28) {
        /* hub concepts of this source */
        uint64_t k = (uint64_t)wtab_pick(&HUB_W, R);
        j = L[rng_mix(g_seed ^ (k * 0x100000001B3ULL + (uint64_t)g->sab)) % n];
    } else if (u < 0.68) {
        /* neighbours within this source */
        uint64_t lo = 0, hi = n - 1;
        while (lo < hi) {
            uint64_t mid = (lo + hi) >> 1;
            if (L[mid] < i)
                lo = mid + 1;
            else
                hi = mid;
        }
        int64_t off = 1 + (int64_t)rng_below(R, 100);
        int64_t pos = rng_chance(R, 0.5) ? (int64_t)lo + off : (int64_t)lo - off;
        if (pos < 0 || pos >= (int64_t)n)
            pos = (int64_t)(rng_next(R) % n);
        j = L[pos];
    } else {
        j = L[rng_next(R) % n];
    }
    if (j == i && NC > 1)
        j = (i + 1) % NC;
    return j;
}

/* MRREL's plan: relation groups by source concept, and the groups whose
 * inverse rows belong to each target concept. */
typedef struct {
    size_t ng, gcap;
    uint32_t *gj;       /* (ng) a group's target concept */
    uint8_t *gd;        /* (ng) its duplicates, | 0x80 with inverse rows */
    uint32_t *gstart;   /* (NC + 1) concept i's groups: gstart[i] .. gstart[i+1] */
    uint32_t *istart;   /* (NC + 1) concept j's in-list: ilist[istart[j] .. istart[j+1]) */
    uint32_t *ilist;
    uint64_t nin;
} relplan_t;

/* The weight tables the relations are drawn from. */
static void mrrel_tables(void)
{
    build_source_concepts();
    for (int c = 0; c < NRC; c++) {
        RELA_NPAIR[c] = count_list(RELA_BY_CAT[c]) / 2;
        wtab_zipf(&RELA_W[c], RELA_NPAIR[c], 2.0);
    }
    double rw[NREL];
    for (int k = 0; k < NREL; k++)
        rw[k] = RELS[k].w;
    wtab_init(&REL_W, rw, NREL);
    N_HUB = NC / 50;
    if (N_HUB < 1)
        N_HUB = 1;
    if (N_HUB > 20000)
        N_HUB = 20000;
    wtab_zipf(&HUB_W, (int)N_HUB, 5.0);
}

/* Concept i's groups while its share of the remaining rows lasts (the last
 * concept takes what is left); *done counts the rows planned. */
static void plan_concept(relplan_t *pl, uint32_t i, double budget, uint64_t *done, struct rng *R)
{
    grp_t g;
    int last = i + 1 == NC;
    while (*done < N_REL && (budget > 0 || last)) {
        struct rng gr;
        resolve_head((uint32_t)pl->ng, i, &g, &gr);
        uint32_t j = pick_target(i, &g, R);
        resolve_tail(j, &g, &gr);
        uint32_t d = (uint32_t)g.d_raw;
        if (d > g.cap)
            d = g.cap;
        uint32_t inv = (uint32_t)g.inv;
        uint64_t rows = (uint64_t)d * (1 + inv);
        if (*done + rows > N_REL) {
            inv = 0;
            if (d > N_REL - *done)
                d = (uint32_t)(N_REL - *done);
            rows = d;
        }
        if (pl->ng == pl->gcap) {
            pl->gcap = pl->gcap * 3 / 2;
            pl->gj = xrealloc(pl->gj, pl->gcap * sizeof *pl->gj);
            pl->gd = xrealloc(pl->gd, pl->gcap);
        }
        pl->gj[pl->ng] = j;
        pl->gd[pl->ng] = (uint8_t)(d | (inv << 7));
        pl->ng++;
        *done += rows;
        budget -= (double)rows;
    }
}

/* Pass 1: decide relation groups (target concept, duplicates, inverse). */
static void plan_groups(relplan_t *pl)
{
    struct rng R;
    rng_seed(&R, hseed(41, 0, 0), 0);
    pl->gcap = (size_t)(N_REL / 3) + 1024;
    pl->ng = 0;
    pl->gj = xmalloc(pl->gcap * sizeof *pl->gj);
    pl->gd = xmalloc(pl->gcap);
    pl->gstart = xmalloc(((size_t)NC + 1) * sizeof *pl->gstart);
    double wsum = 0;
    for (uint32_t i = 0; i < NC; i++) {
        uint32_t c = RS[i + 1] - RS[i];
        wsum += (double)(c > 40 ? 40 : c) + 1.0;
    }
    uint64_t done = 0;
    for (uint32_t i = 0; i < NC; i++) {
        pl->gstart[i] = (uint32_t)pl->ng;
        uint32_t c = RS[i + 1] - RS[i];
        double wi = (double)(c > 40 ? 40 : c) + 1.0;
        double x = rng_chance(&R, 0.15) ? 0.0 : 0.2 + 1.95 * rng_unit(&R);
        double budget = wsum > 0 ? (double)(N_REL - done) * wi / wsum * x : 0;
        wsum -= wi;
        plan_concept(pl, i, budget, &done, &R);
    }
    pl->gstart[NC] = (uint32_t)pl->ng;
    if (pl->ng > UINT32_MAX - 1)
        die("too many relation groups");
}

/* In-lists: groups whose inverse rows belong to concept j. */
static void plan_inverses(relplan_t *pl)
{
    pl->istart = xcalloc((size_t)NC + 1, sizeof *pl->istart);
    pl->nin = 0;
    for (size_t G = 0; G < pl->ng; G++)
        if (pl->gd[G] & 0x80) {
            pl->istart[pl->gj[G] + 1]++;
            pl->nin++;
        }
    for (uint32_t i = 0; i < NC; i++)
        pl->istart[i + 1] += pl->istart[i];
    pl->ilist = xmalloc((size_t)(pl->nin ? pl->nin : 1) * sizeof *pl->ilist);
    uint32_t *fill = xmalloc(((size_t)NC + 1) * sizeof *fill);
    memcpy(fill, pl->istart, ((size_t)NC + 1) * sizeof *fill);
    for (size_t G = 0; G < pl->ng; G++)
        if (pl->gd[G] & 0x80)
            pl->ilist[fill[pl->gj[G]]++] = (uint32_t)G;
    free(fill);
}

/* The source concept of group G: the last i with gstart[i] <= G. */
static uint32_t group_source(const relplan_t *pl, uint32_t G)
{
    uint32_t lo = 0, hi = NC - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (pl->gstart[mid] <= G)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* Pass 2: write rows grouped by CUI1, a concept's own groups and then
 * the inverse rows of others' that point at it. */
static void write_rel_rows(const relplan_t *pl, const char *dir, int plain, int level)
{
    writer_t w;
    grp_t g;
    w_open(&w, dir, "MRREL.RRF", plain, level);
    struct rng RR;
    rng_seed(&RR, hseed(42, 0, 0), 0);
    for (uint32_t c = 0; c < NC; c++) {
        for (uint32_t G = pl->gstart[c]; G < pl->gstart[c + 1]; G++) {
            int d = pl->gd[G] & 0x7f;
            if (!d)
                continue;
            resolve_group(G, c, pl->gj[G], &g);
            emit_rel_rows(&w, &g, c, pl->gj[G], d, 0, &RR);
        }
        for (uint32_t t = pl->istart[c]; t < pl->istart[c + 1]; t++) {
            uint32_t G = pl->ilist[t];
            int d = pl->gd[G] & 0x7f;
            if (!d)
                continue;
            uint32_t lo = group_source(pl, G);
            resolve_group(G, lo, c, &g);
            emit_rel_rows(&w, &g, c, lo, d, 1, &RR);
        }
    }
    w_close(&w);
}

static void write_mrrel(const char *dir, int plain, int level)
{
    double t0 = now_s();
    relplan_t pl;
    mrrel_tables();
    plan_groups(&pl);
    plan_inverses(&pl);
    fprintf(stderr, "  MRREL plan: %zu concept-level relation groups, %llu with inverse rows (%.1fs)\n",
            pl.ng, (unsigned long long)pl.nin, now_s() - t0);
    write_rel_rows(&pl, dir, plain, level);
    free(pl.gj);
    free(pl.gd);
    free(pl.gstart);
    free(pl.istart);
    free(pl.ilist);
    free(SCL);
    free(SCL_START);
}

/* ------------------------------------------------------------------ */
/* MRSAB                                                               */
/* ------------------------------------------------------------------ */
static const char *source_family(int s, char *buf)
{
    const char *sab = SRCDEF[s].sab;
    static const char *const PFX[] = {"LNC", "MSH", "MDR", "NCI", "ICPC", "WHO", "SNOMEDCT", "MTHICPC2", "RCD", NULL};
    for (int k = 0; PFX[k]; k++)
        if (!strncmp(sab, PFX[k], strlen(PFX[k]))) {
            strcpy(buf, PFX[k]);
            return buf;
        }
    strcpy(buf, sab);
    return buf;
}

static void source_name(int s, char *buf, size_t n)
{
    static const struct {
        const char *sab, *son;
    } KNOWN[] = {
        {"SNOMEDCT_US", "SNOMED CT, US Edition"},
        {"NCI", "NCI Thesaurus"},
        {"MEDCINE", "MEDCIN"},
        {"LNC", "LOINC"},
        {"MSH", "Medical Subject Headings"},
        {"RXNORM", "RxNorm Vocabulary"},
        {"MTH", "Metathesaurus Names"},
        {"MDR", "MedDRA"},
        {"NCBI", "NCBI Taxonomy"},
        {"ICD10PCS", "ICD-10 Procedure Coding System"},
        {"ICD10CM", "International Classification of Diseases, Tenth Revision, Clinical Modification"},
        {"ICD9CM", "International Classification of Diseases, Ninth Revision, Clinical Modification"},
        {"ICD10", "International Classification of Diseases and Related Health Problems, Tenth Revision"},
        {"GO", "Gene Ontology"},
        {"HPO", "Human Phenotype Ontology"},
        {"FMA", "Foundational Model of Anatomy"},
        {"CHV", "Consumer Health Vocabulary"},
        {"OMIM", "Online Mendelian Inheritance in Man"},
        {"HGNC", "HUGO Gene Nomenclature Committee"},
        {"CPT", "Current Procedural Terminology"},
        {"HCPCS", "Healthcare Common Procedure Coding System"},
        {"ATC", "Anatomical Therapeutic Chemical Classification System"},
        {"MED-RT", "Medication Reference Terminology"},
        {"DRUGBANK", "DrugBank"},
        {"MEDLINEPLUS", "MedlinePlus Health Topics"},
        {"SCTSPA", "SNOMED CT, Spanish Edition"},
        {NULL, NULL},
    };
    const char *sab = SRCDEF[s].sab;
    for (int k = 0; KNOWN[k].sab; k++)
        if (!strcmp(KNOWN[k].sab, sab)) {
            snprintf(buf, n, "%s", KNOWN[k].son);
            return;
        }
    char fam[64];
    source_family(s, fam);
    int l = SRC[s].lang;
    if (l != 0 && strcmp(fam, sab) != 0)
        snprintf(buf, n, "%s, %s Edition", fam, LANGS[l].name);
    else if (l != 0)
        snprintf(buf, n, "%s %s terminology", sab, LANGS[l].name);
    else
        snprintf(buf, n, "%s source vocabulary", sab);
}

static char *put_tty_list(char *p, int fam)
{
    const famdef_t *F = &FAMS[fam];
    const char *seen[64];
    int ns = 0;
    const char *const *lists[3] = {F->pref, F->syn, F->obs};
    for (int L = 0; L < 3; L++)
        for (int k = 0; lists[L][k]; k++) {
            int dup = 0;
            for (int t = 0; t < ns; t++)
                if (!strcmp(seen[t], lists[L][k]))
                    dup = 1;
            if (dup)
                continue;
            if (ns)
                *p++ = ',';
            p = put_s(p, lists[L][k]);
            seen[ns++] = lists[L][k];
        }
    return p;
}

static void write_mrsab_row(writer_t *w, int s, int current, int age, struct rng *R)
{
    char son[256], fam[64], ver[32];
    source_name(s, son, sizeof son);
    source_family(s, fam);
    const char *sab = SRCDEF[s].sab;
    /* current versions predate the 2023AA release (May 2023) */
    int year = current ? 2022 + (int)rng_below(R, 2) : 2022 - age;
    int month = year == 2023 ? 1 + (int)rng_below(R, 4) : 1 + (int)rng_below(R, 12);
    int day = 1 + (int)rng_below(R, 28);
    int is_mth = !strncmp(sab, "MTH", 3);
    if (is_mth)
        snprintf(ver, sizeof ver, "%04dAA", year);
    else
        snprintf(ver, sizeof ver, "%04d_%02d_%02d", year, month, day);
    char *p = w_line(w);
    *p++ = 'C';
    p = put_upad(p, CUI[rng_mix(hseed(50, (uint64_t)s, (uint64_t)age)) % NC], 7);
    PIPE(p);
    *p++ = 'C';
    p = put_upad(p, CUI[rng_mix(hseed(51, (uint64_t)s, 0)) % NC], 7);
    PIPE(p);
    p = put_s(p, sab);
    if (!is_mth)
        *p++ = '_';
    p = put_s(p, ver);
    PIPE(p);
    p = put_s(p, sab);
    PIPE(p);
    p = put_s(p, son);
    if (!current) {
        p = put_s(p, ", ");
        p = put_s(p, ver);
    }
    PIPE(p);
    p = put_s(p, fam);
    PIPE(p);
    p = put_s(p, ver);
    PIPE(p);
    PIPE(p); /* VSTART */
    PIPE(p); /* VEND */
    {
        int ia = current ? (rng_chance(R, 0.5) ? 0 : 1 + (int)rng_below(R, 4)) : age * 2 + (int)rng_below(R, 2);
        int iy = 2023 - (ia + 1) / 2;
        p = put_u(p, (uint64_t)iy);
        p = put_s(p, ia % 2 ? "AB" : "AA");
    }
    PIPE(p);
    if (!current)
        p = put_s(p, rng_chance(R, 0.5) ? "2023AA" : "2022AB");
    PIPE(p);
    static const char CONTACT[] =
        ";Terminology Services;National Terminology Office;8600 Example Pike;;Bethesda;MD;United States;20894;;;terminology@example.org";
    p = put_s(p, CONTACT);
    PIPE(p);
    p = put_s(p, CONTACT);
    PIPE(p);
    p = put_u(p, (uint64_t)SRC[s].srl);
    PIPE(p);
    if (current) {
        p = put_u(p, SRC_TFR[s]);
        PIPE(p);
        p = put_u(p, SRC_CFR[s]);
        PIPE(p);
    } else {
        PIPE(p);
        PIPE(p);
    }
    p = put_s(p, FAMS[SRC[s].fam].cxty);
    PIPE(p);
    p = put_tty_list(p, SRC[s].fam);
    PIPE(p);
    p = put_s(p, FAMS[SRC[s].fam].atnl);
    PIPE(p);
    p = put_s(p, LANGS[SRC[s].lang].code);
    PIPE(p);
    p = put_s(p, "UTF-8");
    PIPE(p);
    *p++ = current ? 'Y' : 'N';
    PIPE(p);
    *p++ = current ? 'Y' : 'N';
    PIPE(p);
    p = put_s(p, son);
    PIPE(p);
    p = put_s(p, ";;;;");
    p = put_s(p, son);
    p = put_s(p, ";;");
    p = put_s(p, ver);
    p = put_s(p, ";;;National Terminology Office;Bethesda, MD;");
    p = put_u(p, (uint64_t)year);
    p = put_s(p, ";;;;;;;");
    PIPE(p);
    *p++ = '\n';
    w_commit(w, p);
}

static void write_mrsab(const char *dir, int plain, int level)
{
    writer_t w;
    w_open(&w, dir, "MRSAB.RRF", plain, level);
    struct rng R;
    rng_seed(&R, hseed(52, 0, 0), 0);
    int *age = xcalloc(NSRC, sizeof(int));
    for (int s = 0; s < NSRC; s++)
        write_mrsab_row(&w, s, 1, 0, &R);
    /* earlier versions of sources (CURVER=N): favour the large sources */
    wtab_t sw;
    double *wt = xmalloc(NSRC * sizeof(double));
    for (int s = 0; s < NSRC; s++)
        wt[s] = (double)SRC_TFR[s] + 1000.0;
    wtab_init(&sw, wt, NSRC);
    for (uint32_t k = 0; k < N_SAB_OLD; k++) {
        int s = wtab_pick(&sw, &R);
        if (age[s] >= 6)
            s = (int)rng_below(&R, NSRC);
        age[s]++;
        write_mrsab_row(&w, s, 0, age[s], &R);
    }
    free(wt);
    free(sw.cdf);
    free(age);
    w_close(&w);
}

/* ------------------------------------------------------------------ */
/* main                                                                */
/* ------------------------------------------------------------------ */
static void usage(void)
{
    fprintf(stderr,
            "usage: gen_umls [--scale F] [--seed N] [--plain] [--level L] OUTDIR\n"
            "  --scale F   size relative to the 2023AA release (default 0.1)\n"
            "  --seed N    PRNG seed (default 20230501)\n"
            "  --plain     write plain .RRF instead of .RRF.zst\n"
            "  --level L   zstd compression level (default 3)\n");
    exit(2);
}

static uint64_t scaled(double full, double scale, uint64_t min)
{
    double v = full * scale + 0.5;
    uint64_t n = v < 1.0 ? 0 : (uint64_t)v;
    return n < min ? min : n;
}

int main(int argc, char **argv)
{
    double scale = 0.1;
    int plain = 0, level = 3;
    const char *outdir = NULL;
    for (int a = 1; a < argc; a++) {
        const char *s = argv[a];
        if (!strcmp(s, "--scale") && a + 1 < argc) {
            char *e;
            scale = strtod(argv[++a], &e);
            if (*e || !(scale > 0) || scale > 50)
                die("--scale must be in (0, 50]");
        } else if (!strcmp(s, "--seed") && a + 1 < argc) {
            char *e;
            g_seed = strtoull(argv[++a], &e, 0);
            if (*e)
                die("bad --seed");
        } else if (!strcmp(s, "--level") && a + 1 < argc) {
            char *e;
            long l = strtol(argv[++a], &e, 10);
            if (*e || l < ZSTD_minCLevel() || l > ZSTD_maxCLevel())
                die("bad --level");
            level = (int)l;
        } else if (!strcmp(s, "--plain")) {
            plain = 1;
        } else if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            usage();
        } else if (s[0] == '-' && s[1]) {
            usage();
        } else if (!outdir) {
            outdir = s;
        } else {
            usage();
        }
    }
    if (!outdir)
        usage();
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_umls: cannot create %s: %s\n", outdir, strerror(errno));
        return 1;
    }

    double t0 = now_s();
    NC = (uint32_t)scaled(FULL_CONCEPTS, scale, 1);
    N_CONSO = scaled(FULL_CONSO_ROWS, scale, NC);
    N_STY = scaled(FULL_STY_ROWS, scale, NC);
    if (N_STY > 3ULL * NC)
        N_STY = 3ULL * NC;
    N_REL = scaled(FULL_REL_ROWS, scale, 2);
    if (N_CONSO > 0xFFFFFFF0ULL)
        die("scale too large");
    /* every source used in MRCONSO needs its current MRSAB row, so all
       current sources are always present; older versions scale */
    int old_full = FULL_SAB_ROWS - NSRC;
    N_SAB_OLD = (uint32_t)scaled((double)(old_full > 0 ? old_full : 0), scale, 0);

    build_vocab();
    build_sources();
    build_string_tables();
    plan_concepts();
    fprintf(stderr, "gen_umls: scale=%g seed=%llu level=%d%s -> %s\n", scale, (unsigned long long)g_seed, level,
            plain ? " (plain)" : "", outdir);
    fprintf(stderr, "  concepts=%u sources=%d languages=%d semantic types=%d\n", NC, NSRC, NLANG, NSTY);

    write_mrconso(outdir, plain, level);
    write_mrsty(outdir, plain, level);
    write_mrrel(outdir, plain, level);
    write_mrsab(outdir, plain, level);
    fprintf(stderr, "gen_umls: done in %.1fs\n", now_s() - t0);
    return 0;
}
