// SPDX-License-Identifier: MIT
/*
 * domsign: the host side of domain image signing (ARCHITECTURE.md,
 * "Domains"). Makes Ed25519 key pairs, appends the signature trailer of
 * lib/abi/sigtrailer.h to stripped domain ELF images, and checks signed
 * images with the kernel's own verifier (lib/crypto), so a signature that
 * passes here passes at boot. Keys and signing use OpenSSL's libcrypto.
 *
 *	domsign keygen PRIVATE.pem PUBLIC.pem
 *	domsign sign PRIVATE.pem IN.elf OUT.elf
 *	domsign verify PUBLIC.pem FILE
 *	domsign pubkey-c PUBLIC.pem [NAME]
 *	domsign info FILE
 *
 * Every failure prints "domsign: <file>: <reason>" and exits with 1
 * (2 for usage errors).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "abi/errno.h"
#include "crypto/ed25519.h"
#include "crypto/sigtrailer.h"

/* Domain images are small; anything bigger is a mistake. */
#define DOMSIGN_MAX_IMAGE (256u << 20)

#define ELF_MAGIC "\177ELF"

static void __printf(2, 3) fail(const char *file, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "domsign: %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Like fail(), adding OpenSSL's first queued error, if any. */
static void fail_ssl(const char *file, const char *what)
{
	unsigned long e = ERR_get_error();

	if (e) {
		char buf[256];

		ERR_error_string_n(e, buf, sizeof(buf));
		fail(file, "%s (%s)", what, buf);
	} else {
		fail(file, "%s", what);
	}
	ERR_clear_error();
}

static void hex_print(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%02x", p[i]);
	}
}

/*
 * Reads the regular file @path into a malloc()ed buffer. Returns 0 or -1
 * after printing why.
 */
static int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(path, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		fail(path, "cannot stat: %s", strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(path, "not a regular file");
		goto out_close;
	}
	if ((uintmax_t)st.st_size > DOMSIGN_MAX_IMAGE) {
		fail(path, "too large (%jd bytes, limit %u)",
		     (intmax_t)st.st_size, DOMSIGN_MAX_IMAGE);
		goto out_close;
	}
	/* One spare byte so that an empty file still gets a buffer. */
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fail(path, "out of memory");
		goto out_close;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			fail(path, "read error: %s",
			     n < 0 ? strerror(errno) : "file shrank");
			goto out_free;
		}
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = done;
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return -1;
}

static int write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Creates a temporary file next to @path ("<path>.XXXXXX", mode 0600) and
 * stores its name in @tmp (PATH_MAX bytes). Returns the fd or -1.
 */
static int create_temp_beside(const char *path, char *tmp, size_t tmpsize)
{
	int fd;

	if ((size_t)snprintf(tmp, tmpsize, "%s.XXXXXX", path) >= tmpsize) {
		fail(path, "path too long");
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		fail(path, "cannot create temporary file: %s", strerror(errno));
	}
	return fd;
}

enum publish_mode {
	PUBLISH_REPLACE,    /* rename(): atomically replace @path */
	PUBLISH_NO_CLOBBER, /* link(): fail if @path exists */
};

/*
 * Writes @len bytes to @path atomically: into a temporary file in the same
 * directory, flushed to disk, then moved into place. Readers see either
 * the old file or the complete new one, never a partial write. Returns 0
 * or -1 after printing why; the temporary file never survives.
 */
static int write_file_atomic(const char *path, const void *data, size_t len,
			     mode_t mode, enum publish_mode how)
{
	char tmp[4096];
	int fd;

	fd = create_temp_beside(path, tmp, sizeof(tmp));
	if (fd < 0) {
		return -1;
	}
	if (write_all(fd, data, len) != 0 || fchmod(fd, mode) != 0 ||
	    fsync(fd) != 0) {
		fail(path, "cannot write %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (close(fd) != 0) {
		fd = -1;
		fail(path, "cannot write %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	fd = -1;
	if (how == PUBLISH_NO_CLOBBER) {
		if (link(tmp, path) != 0) {
			fail(path, "%s",
			     errno == EEXIST
				     ? "already exists, not overwriting it"
				     : strerror(errno));
			goto out_unlink;
		}
		unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		fail(path, "cannot rename %s into place: %s", tmp,
		     strerror(errno));
		goto out_unlink;
	}
	return 0;

out_unlink:
	if (fd >= 0) {
		close(fd);
	}
	unlink(tmp);
	return -1;
}

/* Serialises @pkey as PEM (private or public) into a malloc()ed buffer. */
static int pem_to_buffer(EVP_PKEY *pkey, bool private, char **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *mem;
	long n;
	int ok;

	if (!bio) {
		return -1;
	}
	if (private) {
		ok = PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL,
					      NULL);
	} else {
		ok = PEM_write_bio_PUBKEY(bio, pkey);
	}
	n = BIO_get_mem_data(bio, &mem);
	if (!ok || n <= 0) {
		BIO_free(bio);
		return -1;
	}
	*out = malloc((size_t)n);
	if (!*out) {
		BIO_free(bio);
		return -1;
	}
	memcpy(*out, mem, (size_t)n);
	*len = (size_t)n;
	BIO_free(bio);
	return 0;
}

/* Loads an Ed25519 private key from PEM. Returns NULL after printing. */
static EVP_PKEY *load_private(const char *path)
{
	EVP_PKEY *pkey;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		fail(path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!pkey) {
		fail_ssl(path, "not a PEM private key");
		return NULL;
	}
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		fail(path, "not an Ed25519 key");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return pkey;
}

/* Loads the raw 32-byte Ed25519 public key from a PEM public key file. */
static int load_public(const char *path, uint8_t pub[32])
{
	EVP_PKEY *pkey;
	size_t len = 32;
	FILE *f;
	int ret = -1;

	f = fopen(path, "re");
	if (!f) {
		fail(path, "cannot open: %s", strerror(errno));
		return -1;
	}
	pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!pkey) {
		fail_ssl(path, "not a PEM public key");
		return -1;
	}
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		fail(path, "not an Ed25519 key");
	} else if (EVP_PKEY_get_raw_public_key(pkey, pub, &len) != 1 ||
		   len != 32) {
		fail_ssl(path, "cannot extract the public key");
	} else {
		ret = 0;
	}
	EVP_PKEY_free(pkey);
	return ret;
}

static int cmd_keygen(const char *priv_path, const char *pub_path)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;
	char *priv_pem = NULL;
	char *pub_pem = NULL;
	size_t priv_len;
	size_t pub_len;
	int ret = 1;

	ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_keygen(ctx, &pkey) != 1) {
		fail_ssl(priv_path, "key generation failed");
		goto out;
	}
	if (pem_to_buffer(pkey, true, &priv_pem, &priv_len) != 0 ||
	    pem_to_buffer(pkey, false, &pub_pem, &pub_len) != 0) {
		fail_ssl(priv_path, "cannot encode the key pair as PEM");
		goto out;
	}
	/* Never overwrite a key: losing one means re-signing everything. */
	if (write_file_atomic(priv_path, priv_pem, priv_len, 0600,
			      PUBLISH_NO_CLOBBER) != 0) {
		goto out;
	}
	if (write_file_atomic(pub_path, pub_pem, pub_len, 0644,
			      PUBLISH_NO_CLOBBER) != 0) {
		/* Do not leave half a key pair behind. */
		unlink(priv_path);
		goto out;
	}
	ret = 0;
out:
	if (priv_pem) {
		OPENSSL_cleanse(priv_pem, priv_len);
	}
	free(priv_pem);
	free(pub_pem);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

static int sign_buffer(EVP_PKEY *pkey, const uint8_t *msg, size_t len,
		       uint8_t sig[64])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 64;
	int ok;

	/* Ed25519 is "pure": no digest, the whole message is signed. */
	ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) == 1 &&
	     EVP_DigestSign(md, sig, &siglen, msg, len) == 1 && siglen == 64;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static int cmd_sign(const char *priv_path, const char *in_path,
		    const char *out_path)
{
	struct sigtrailer t;
	struct sig_key key;
	struct stat st;
	EVP_PKEY *pkey;
	uint8_t *img = NULL;
	uint8_t *grown;
	size_t size;
	size_t pub_len = sizeof(key.pub);
	size_t checked_len;
	int ret = 1;
	int err;

	pkey = load_private(priv_path);
	if (!pkey) {
		return 1;
	}
	if (read_file(in_path, &img, &size) != 0) {
		goto out;
	}
	if (size < 4 || memcmp(img, ELF_MAGIC, 4) != 0) {
		fail(in_path, "not an ELF file");
		goto out;
	}
	if (size > DOMSIGN_MAX_IMAGE - SIGTRAILER_SIZE) {
		fail(in_path, "too large to sign");
		goto out;
	}
	/* Any trailer-like ending, valid or not, means "already signed". */
	if (size >= SIGTRAILER_SIZE &&
	    memcmp(img + size - SIGTRAILER_SIZE, SIGTRAILER_MAGIC,
		   SIGTRAILER_MAGIC_SIZE) == 0) {
		fail(in_path, "already has a signature trailer; sign the "
			      "unsigned image instead");
		goto out;
	}

	if (EVP_PKEY_get_raw_public_key(pkey, key.pub, &pub_len) != 1 ||
	    pub_len != sizeof(key.pub)) {
		fail_ssl(priv_path, "cannot derive the public key");
		goto out;
	}
	sig_key_id(key.pub, key.id);
	key.name = priv_path;

	memset(&t, 0, sizeof(t));
	memcpy(t.magic, SIGTRAILER_MAGIC, SIGTRAILER_MAGIC_SIZE);
	t.algorithm = SIGTRAILER_ALG_ED25519;
	t.version = SIGTRAILER_VERSION;
	memcpy(t.key_id, key.id, sizeof(t.key_id));
	t.signed_len = size;
	if (sign_buffer(pkey, img, size, t.signature) != 0) {
		fail_ssl(priv_path, "signing failed");
		goto out;
	}

	/* Append the trailer. */
	grown = realloc(img, size + SIGTRAILER_SIZE);
	if (!grown) {
		fail(in_path, "out of memory");
		goto out;
	}
	img = grown;
	sigtrailer_encode(&t, img + size);

	/* Check the result with the kernel's verifier before writing it. */
	err = sig_verify_image(img, size + SIGTRAILER_SIZE, &key, 1,
			       &checked_len);
	if (err || checked_len != size) {
		fail(out_path,
		     "internal error: the new signature does not "
		     "verify (%s)",
		     errno_name(err));
		goto out;
	}

	if (stat(in_path, &st) != 0) {
		st.st_mode = 0644;
	}
	if (write_file_atomic(out_path, img, size + SIGTRAILER_SIZE,
			      st.st_mode & 0777, PUBLISH_REPLACE) != 0) {
		goto out;
	}
	ret = 0;
out:
	free(img);
	EVP_PKEY_free(pkey);
	return ret;
}

/* Explains a sigtrailer_parse() failure for @path. */
static void explain_trailer(const char *path, const uint8_t *img, size_t size,
			    int err)
{
	struct sigtrailer t;

	if (err == -ENOEXEC) {
		fail(path, "not signed (no signature trailer)");
		return;
	}
	sigtrailer_decode(img + size - SIGTRAILER_SIZE, &t);
	if (t.algorithm != SIGTRAILER_ALG_ED25519) {
		fail(path, "malformed signature trailer: unknown algorithm %u",
		     t.algorithm);
	} else if (t.version != SIGTRAILER_VERSION) {
		fail(path, "malformed signature trailer: unknown version %u",
		     t.version);
	} else {
		fail(path,
		     "malformed signature trailer: it signs %llu "
		     "bytes but %zu precede it (truncated or extended file)",
		     (unsigned long long)t.signed_len, size - SIGTRAILER_SIZE);
	}
}

static int cmd_verify(const char *pub_path, const char *path)
{
	struct sigtrailer t;
	struct sig_key key;
	uint8_t *img;
	size_t size;
	size_t len;
	int err;

	if (load_public(pub_path, key.pub) != 0) {
		return 1;
	}
	sig_key_id(key.pub, key.id);
	key.name = pub_path;
	if (read_file(path, &img, &size) != 0) {
		return 1;
	}

	err = sig_verify_image(img, size, &key, 1, &len);
	switch (err) {
	case 0:
		printf("%s: good signature by key ", path);
		hex_print(stdout, key.id, sizeof(key.id));
		printf(" (%s), %zu bytes signed\n", pub_path, len);
		break;
	case -EACCES:
		if (sigtrailer_parse(img, size, &t, &len) == 0) {
			char want[17];
			char got[17];

			for (int i = 0; i < 8; i++) {
				snprintf(want + 2 * i, 3, "%02x", key.id[i]);
				snprintf(got + 2 * i, 3, "%02x", t.key_id[i]);
			}
			fail(path,
			     "signed by key id %s, not by %s (key id "
			     "%s)",
			     got, pub_path, want);
		}
		break;
	case -EKEYREJECTED:
		fail(path, "BAD signature: the image or its trailer was "
			   "modified after signing");
		break;
	case -ENOEXEC:
	case -EINVAL:
		explain_trailer(path, img, size, err);
		break;
	default:
		fail(path, "verification failed (%s)", errno_name(err));
		break;
	}
	free(img);
	return err ? 1 : 0;
}

/* A key name becomes a C string literal; keep it to harmless characters. */
static bool name_is_safe(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.')) {
			return false;
		}
	}
	return true;
}

static void print_c_bytes(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		printf("%s0x%02x,%s", i % 8 == 0 ? "\t\t" : " ", p[i],
		       i % 8 == 7 || i == n - 1 ? "\n" : "");
	}
}

static int cmd_pubkey_c(const char *pub_path, const char *name_arg)
{
	uint8_t pub[32];
	uint8_t id[SIGTRAILER_KEY_ID_SIZE];
	char *copy = NULL;
	const char *name = name_arg;
	int ret = 1;

	if (load_public(pub_path, pub) != 0) {
		return 1;
	}
	if (!name) {
		/* Default: the file name up to its first dot. */
		copy = strdup(pub_path);
		if (!copy) {
			fail(pub_path, "out of memory");
			return 1;
		}
		name = basename(copy);
		if (strchr(name, '.')) {
			*strchr(name, '.') = '\0';
		}
	}
	if (!name_is_safe(name)) {
		fail(pub_path,
		     "key name \"%s\" must be 1-64 characters from "
		     "[A-Za-z0-9_.-]",
		     name);
		goto out;
	}

	sig_key_id(pub, id);
	printf("/*\n"
	       " * Trusted domain signing key \"%s\", generated by\n"
	       " * \"domsign pubkey-c\" from %s. An initialiser for\n"
	       " * struct sig_key (lib/crypto/sigtrailer.h), to be\n"
	       " * included in an array of trusted keys.\n"
	       " */\n",
	       name, pub_path);
	printf("{\n\t.id = {\n");
	print_c_bytes(id, sizeof(id));
	printf("\t},\n\t.pub = {\n");
	print_c_bytes(pub, sizeof(pub));
	printf("\t},\n\t.name = \"%s\",\n},\n", name);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fail("stdout", "write error");
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

static int cmd_info(const char *path)
{
	struct sigtrailer t;
	uint8_t *img;
	size_t size;
	size_t len;
	int err;

	if (read_file(path, &img, &size) != 0) {
		return 1;
	}
	err = sigtrailer_parse(img, size, &t, &len);
	if (err == -ENOEXEC) {
		explain_trailer(path, img, size, err);
		free(img);
		return 1;
	}
	sigtrailer_decode(img + size - SIGTRAILER_SIZE, &t);
	printf("%s:\n", path);
	printf("  magic       %.8s\n", (const char *)t.magic);
	printf("  algorithm   %u%s\n", t.algorithm,
	       t.algorithm == SIGTRAILER_ALG_ED25519 ? " (Ed25519)"
						     : " (unknown)");
	printf("  version     %u\n", t.version);
	printf("  key id      ");
	hex_print(stdout, t.key_id, sizeof(t.key_id));
	printf("\n  signed len  %llu (file %zu bytes, trailer %u)\n",
	       (unsigned long long)t.signed_len, size, SIGTRAILER_SIZE);
	printf("  signature   ");
	hex_print(stdout, t.signature, 32);
	printf("\n              ");
	hex_print(stdout, t.signature + 32, 32);
	printf("\n");
	if (err) {
		explain_trailer(path, img, size, err);
	}
	free(img);
	return err ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: domsign keygen PRIVATE.pem PUBLIC.pem\n"
			"       domsign sign PRIVATE.pem IN.elf OUT.elf\n"
			"       domsign verify PUBLIC.pem FILE\n"
			"       domsign pubkey-c PUBLIC.pem [NAME]\n"
			"       domsign info FILE\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "keygen") && argc == 4) {
		return cmd_keygen(argv[2], argv[3]);
	}
	if (!strcmp(cmd, "sign") && argc == 5) {
		return cmd_sign(argv[2], argv[3], argv[4]);
	}
	if (!strcmp(cmd, "verify") && argc == 4) {
		return cmd_verify(argv[2], argv[3]);
	}
	if (!strcmp(cmd, "pubkey-c") && (argc == 3 || argc == 4)) {
		return cmd_pubkey_c(argv[2], argc == 4 ? argv[3] : NULL);
	}
	if (!strcmp(cmd, "info") && argc == 3) {
		return cmd_info(argv[2]);
	}
	usage();
	return 2;
}
