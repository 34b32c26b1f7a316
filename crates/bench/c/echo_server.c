/*
 * A minimal TCP echo server written directly on libuv's callbacks: the
 * limit a runtime built on libuv can approach (it can only add overhead).
 * It does what a careful C programmer would: one read buffer per
 * connection (no allocation per read), the echo tried at once with
 * uv_try_write, and only what the socket does not take copied into a
 * uv_write request.
 *
 * c_echo_spawn() binds 127.0.0.1 on a free port, starts a thread that runs
 * its own loop, and returns the port (or a negative libuv error).
 */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define BUF_SIZE (64 * 1024)

typedef struct {
  uv_tcp_t tcp;
  char buf[BUF_SIZE];
} conn_t;

typedef struct {
  uv_write_t req;
  uv_buf_t buf;
} write_req_t;

static void on_close(uv_handle_t* handle) { free(handle); }

static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) {
  (void)suggested;
  conn_t* conn = (conn_t*)handle;
  *buf = uv_buf_init(conn->buf, BUF_SIZE);
}

static void on_write(uv_write_t* req, int status) {
  (void)status;
  write_req_t* wr = (write_req_t*)req;
  free(wr->buf.base);
  free(wr);
}

static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {
    uv_close((uv_handle_t*)stream, on_close);
    return;
  }
  if (nread == 0) return;
  uv_buf_t out = uv_buf_init(buf->base, (unsigned)nread);
  int sent = uv_try_write(stream, &out, 1);
  if (sent == nread) return;
  if (sent < 0) sent = 0;
  /* Queue the rest; the connection's buffer is reused by the next read. */
  write_req_t* wr = malloc(sizeof *wr);
  size_t rest = (size_t)nread - (size_t)sent;
  wr->buf = uv_buf_init(malloc(rest), (unsigned)rest);
  memcpy(wr->buf.base, buf->base + sent, rest);
  if (uv_write(&wr->req, stream, &wr->buf, 1, on_write) != 0) {
    free(wr->buf.base);
    free(wr);
  }
}

static void on_connection(uv_stream_t* server, int status) {
  if (status < 0) return;
  conn_t* conn = malloc(sizeof *conn);
  uv_tcp_init(server->loop, &conn->tcp);
  if (uv_accept(server, (uv_stream_t*)&conn->tcp) == 0) {
    uv_tcp_nodelay(&conn->tcp, 1);
    uv_read_start((uv_stream_t*)&conn->tcp, on_alloc, on_read);
  } else {
    uv_close((uv_handle_t*)&conn->tcp, on_close);
  }
}

static void run(void* arg) {
  uv_loop_t* loop = arg;
  uv_run(loop, UV_RUN_DEFAULT);
}

int c_echo_spawn(void) {
  uv_loop_t* loop = malloc(sizeof *loop);
  uv_tcp_t* server = malloc(sizeof *server);
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int len = sizeof bound;
  uv_thread_t thread;
  int rc;

  if ((rc = uv_loop_init(loop)) != 0) return rc;
  uv_tcp_init(loop, server);
  uv_ip4_addr("127.0.0.1", 0, &addr);
  if ((rc = uv_tcp_bind(server, (const struct sockaddr*)&addr, 0)) != 0) return rc;
  if ((rc = uv_listen((uv_stream_t*)server, 511, on_connection)) != 0) return rc;
  uv_tcp_getsockname(server, (struct sockaddr*)&bound, &len);
  if ((rc = uv_thread_create(&thread, run, loop)) != 0) return rc;
  return ntohs(((struct sockaddr_in*)&bound)->sin_port);
}
