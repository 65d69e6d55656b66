/* fwd: the testbed's emulated link. A userspace forwarder between two TUN devices (this kernel has no
 * netem). Each IP packet read from one device is written to the other after, in this order:
 *   outage window (drop every packet that arrives inside it, both directions),
 *   Bernoulli loss per direction (xorshift64* seeded from --seed, one stream per direction),
 *   rate limit: serialisation at --rate-kbps behind a FIFO of at most --queue packets (tail drop),
 *   one-way delay --delay-ms (propagation, added after serialisation).
 * Times are CLOCK_MONOTONIC, which every process on the machine shares whatever its namespace, so the
 * outage start is given as an absolute monotonic time in ms, or SIGUSR2 starts it now (--outage-ms long). Counters are written as JSON to --stats
 * on SIGUSR1 and on SIGTERM/SIGINT (then it exits). --log FILE writes one line per packet offered
 * to the link: monotonic µs, direction, IP length, TCP payload length (-1 if not TCP), TCP flags,
 * source and destination port, and "drop" when it was dropped: the testbed's capture. Build: cc -O2 -o fwd fwd.c */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 8192
#define MAXPKT 2048

struct pkt { int64_t due_us, tx_done_us; int len; unsigned char data[MAXPKT]; };
struct dir {
  const char *name; int in_fd, out_fd; double loss; uint64_t rng;
  struct pkt *ring; int head, count; int64_t tx_free_us;
  uint64_t in, in_bytes, fwd, fwd_bytes, drop_loss, drop_outage, drop_queue;
};

static volatile sig_atomic_t want_stats, want_exit, want_outage;
static void on_sig(int s) { if (s == SIGUSR1) want_stats = 1; else if (s == SIGUSR2) want_outage = 1; else want_exit = 1; }

static int64_t now_us(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* xorshift64* (Vigna); uniform double in [0, 1) from the top 53 bits. */
static double rnd(uint64_t *s) {
  *s ^= *s >> 12; *s ^= *s << 25; *s ^= *s >> 27;
  return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int tun_open(const char *name) {
  struct ifreq ifr; int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
  if (fd < 0) { perror("open /dev/net/tun"); exit(1); }
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) { perror("TUNSETIFF"); exit(1); }
  return fd;
}

static FILE *logf;
static int64_t delay_us, rate_bps, queue_max, outage_from_us = -1, outage_to_us = -1;

static void take(struct dir *d, int64_t now) {
  unsigned char buf[MAXPKT];
  for (;;) {
    int n = read(d->in_fd, buf, sizeof buf);
    if (n <= 0) return;
    d->in++; d->in_bytes += n;
    int drop = 0;
    if (now >= outage_from_us && now < outage_to_us) { d->drop_outage++; drop = 1; }
    else if (d->loss > 0 && rnd(&d->rng) < d->loss) { d->drop_loss++; drop = 1; }
    if (!drop) {
      /* Packets still waiting to be serialised (tx_done in the future) form the bounded queue. */
      int waiting = 0;
      for (int i = d->count - 1; i >= 0; i--) {
        if (d->ring[(d->head + i) % SLOTS].tx_done_us <= now) break;
        waiting++;
      }
      if ((queue_max > 0 && waiting >= queue_max) || d->count == SLOTS) { d->drop_queue++; drop = 1; }
    }
    if (logf) {
      /* IPv4: header length from IHL; TCP (protocol 6): payload = total - IP header - data offset. */
      int ihl = (buf[0] & 15) * 4, payload = -1, flags = 0, sport = 0, dport = 0;
      if ((buf[0] >> 4) == 4 && buf[9] == 6 && n >= ihl + 20) {
        payload = n - ihl - (buf[ihl + 12] >> 4) * 4; flags = buf[ihl + 13];
        sport = buf[ihl] << 8 | buf[ihl + 1]; dport = buf[ihl + 2] << 8 | buf[ihl + 3];
      }
      fprintf(logf, "%lld %s %d %d %d %d %d%s\n", (long long)now, d->name, n, payload, flags, sport, dport, drop ? " drop" : "");
    }
    if (drop) continue;
    int64_t start = d->tx_free_us > now ? d->tx_free_us : now;
    int64_t ser = rate_bps > 0 ? (int64_t)n * 8 * 1000000 / rate_bps : 0;
    struct pkt *p = &d->ring[(d->head + d->count) % SLOTS];
    p->tx_done_us = start + ser; d->tx_free_us = p->tx_done_us;
    p->due_us = p->tx_done_us + delay_us; p->len = n; memcpy(p->data, buf, n);
    d->count++;
  }
}

static void deliver(struct dir *d, int64_t now) {
  while (d->count > 0 && d->ring[d->head].due_us <= now) {
    struct pkt *p = &d->ring[d->head];
    if (write(d->out_fd, p->data, p->len) == p->len) { d->fwd++; d->fwd_bytes += p->len; }
    else d->drop_queue++; /* the receiving device refused it: count it, never lose it silently */
    d->head = (d->head + 1) % SLOTS; d->count--;
  }
}

static void stats(const char *path, struct dir *ds) {
  char tmp[4096]; snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w"); if (!f) { perror("stats"); return; }
  fprintf(f, "{");
  for (int i = 0; i < 2; i++) {
    struct dir *d = &ds[i];
    fprintf(f, "%s\"%s\":{\"in\":%llu,\"inBytes\":%llu,\"forwarded\":%llu,\"forwardedBytes\":%llu,\"droppedLoss\":%llu,"
            "\"droppedOutage\":%llu,\"droppedQueue\":%llu}", i ? "," : "", d->name,
            (unsigned long long)d->in, (unsigned long long)d->in_bytes, (unsigned long long)d->fwd, (unsigned long long)d->fwd_bytes,
            (unsigned long long)d->drop_loss, (unsigned long long)d->drop_outage, (unsigned long long)d->drop_queue);
  }
  fprintf(f, "}\n"); fclose(f); rename(tmp, path);
}

int main(int argc, char **argv) {
  const char *ta = "fa", *tb = "fb", *stats_path = "fwd-stats.json";
  double loss_ab = 0, loss_ba = 0, delay_ms = 0, outage_ms = 0, outage_at_ms = -1, rate_kbps = 0;
  uint64_t seed = 1; int qmax = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--tun-a")) ta = v; else if (!strcmp(k, "--tun-b")) tb = v;
    else if (!strcmp(k, "--delay-ms")) delay_ms = atof(v);
    else if (!strcmp(k, "--loss-ab")) loss_ab = atof(v) / 100; else if (!strcmp(k, "--loss-ba")) loss_ba = atof(v) / 100;
    else if (!strcmp(k, "--seed")) seed = strtoull(v, 0, 10);
    else if (!strcmp(k, "--rate-kbps")) rate_kbps = atof(v); else if (!strcmp(k, "--queue")) qmax = atoi(v);
    else if (!strcmp(k, "--outage-at-mono-ms")) outage_at_ms = atof(v); else if (!strcmp(k, "--outage-ms")) outage_ms = atof(v);
    else if (!strcmp(k, "--stats")) stats_path = v;
    else if (!strcmp(k, "--log")) { logf = fopen(v, "w"); if (!logf) { perror("--log"); return 2; } }
    else { fprintf(stderr, "fwd: unknown option %s\n", k); return 2; }
  }
  delay_us = (int64_t)(delay_ms * 1000); rate_bps = (int64_t)(rate_kbps * 1000); queue_max = qmax;
  if (outage_at_ms >= 0) { outage_from_us = (int64_t)(outage_at_ms * 1000); outage_to_us = outage_from_us + (int64_t)(outage_ms * 1000); }
  struct dir ds[2] = {
    { .name = "ab", .in_fd = tun_open(ta), .loss = loss_ab, .rng = seed * 2 + 1 },
    { .name = "ba", .loss = loss_ba, .rng = seed * 2 + 2 },
  };
  ds[1].in_fd = tun_open(tb); ds[0].out_fd = ds[1].in_fd; ds[1].out_fd = ds[0].in_fd;
  for (int i = 0; i < 2; i++) {
    ds[i].ring = calloc(SLOTS, sizeof(struct pkt));
    for (int j = 0; j < 10; j++) rnd(&ds[i].rng); /* stir the small seeds */
  }
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_sig;
  sigaction(SIGUSR1, &sa, 0); sigaction(SIGUSR2, &sa, 0); sigaction(SIGTERM, &sa, 0); sigaction(SIGINT, &sa, 0);
  printf("ready\n"); fflush(stdout);
  while (!want_exit) {
    int64_t now = now_us(), next = now + 100000;
    for (int i = 0; i < 2; i++) {
      deliver(&ds[i], now);
      if (ds[i].count > 0 && ds[i].ring[ds[i].head].due_us < next) next = ds[i].ring[ds[i].head].due_us;
    }
    struct pollfd pf[2] = { { ds[0].in_fd, POLLIN, 0 }, { ds[1].in_fd, POLLIN, 0 } };
    /* ppoll for sub-millisecond sleeps: a 1 ms poll() granularity would add up to 1 ms per packet. */
    int64_t wait = next - now; if (wait < 0) wait = 0;
    struct timespec ts = { wait / 1000000, (wait % 1000000) * 1000 };
    int r = ppoll(pf, 2, &ts, 0);
    if (want_stats) { want_stats = 0; stats(stats_path, ds); }
    if (want_outage) { want_outage = 0; outage_from_us = now_us(); outage_to_us = outage_from_us + (int64_t)(outage_ms * 1000); }
    if (r < 0 && errno != EINTR) { perror("ppoll"); break; }
    now = now_us();
    for (int i = 0; i < 2; i++) if (pf[i].revents & POLLIN) take(&ds[i], now);
  }
  stats(stats_path, ds);
  if (logf) fclose(logf);
  return 0;
}
