---@meta plenary_async
-- LuaLS annotations for `require("plenary_async")` (the module itself is
-- lua/plenary_async/init.lua and its siblings). Never loaded at run time.
-- doc/plenary_async.txt (:help plenary_async) is generated from this file
-- and vim_async_meta.lua by scripts/gen-help.sh: the `---@doc` blocks are
-- its prose, written in vimdoc.

---@doc plenary_async Introduction
--- plenary_async is plenary.nvim's `plenary.async` (plenary.nvim is
--- archived) on one small runtime, in plain Lua: `wrap`, `run`, `void`;
--- channels, `Condvar`, `Semaphore`; awaitable files, sockets, timers and
--- LSP requests; `util` (sleep, join, race, run_first, block_on, ...); async
--- tests for any runner; and Neovim's own `vim.async` API on the same tasks
--- (|plenary_async.vim_async|).
---
--- A task runs at once up to its first wait; async functions are called
--- from tasks only, and say so when they are not:
--- >lua
---   local a = require("plenary_async")
---   a.run(function()
---     local err, st = a.uv.fs_stat(vim.fn.stdpath("config"))
---     a.util.sleep(10)
---     print(err or st.type)
---   end)
--- <
--- Plugins written for plenary.async run unchanged after
--- `require("plenary_async").as_plenary()`, which registers this module as
--- `plenary.async` and its submodules, with plenary's contracts
--- (|plenary_async.as_plenary()|). What differs from plenary, its defects
--- fixed, is listed in the README.
---
--- Install it as any plugin (no build step); `:checkhealth plenary_async`
--- says what it found (|plenary_async-health|).

---@doc plenary_async-tests Async tests under any runner
--- `a.tests` hands a test runner's own `describe`, `it`, `pending`,
--- `before_each` and `after_each` bodies that run as tasks and may await.
--- It finds the runner's functions in the calling file's environment (busted
--- gives them so) or in `_G` (plenary's harness, mini.test's busted
--- emulation). A body past its limit fails with the stack it was waiting on,
--- and its task is canceled. The limit is `opts.timeout` (ms), else
--- `$PLENARY_TEST_TIMEOUT`, else 2000. `after_each` runs when the body
--- failed, and an assertion that fails inside the task is reported by the
--- runner as a failure.
---
--- `a.tests.wrap(fn, opts)` is the form for any runner: a function that
--- runs `fn` as a task and blocks until it ends. mini.test runs its cases
--- from `vim.schedule`, so a case that waits would let the next cases run
--- inside it: under mini.test, test async code in a child Neovim
--- (`MiniTest.new_child_neovim()`), where `a.tests.wrap` blocks:
--- >lua
---   local got = child.lua([[
---     local a = require("plenary_async")
---     return a.tests.wrap(function() a.util.sleep(5); return 42 end)()
---   ]])
--- <
--- The busted helper makes every body of a suite async, with no `a.tests`
--- in the specs: `busted --helper=plenary_async.busted` (or
--- `helper = "plenary_async.busted"` in `.busted`); `-Xhelper timeout=<ms>`
--- sets the limit.

---@doc plenary_async-moving Moving a suite off plenary's harness
--- plenary's harness ran specs with `PlenaryBustedDirectory`:
--- >sh
---   nvim --headless -c "PlenaryBustedDirectory tests/ {minimal_init = 'tests/init.lua'}"
--- <
--- The same specs run on busted, with Neovim as busted's Lua (busted from
--- luarocks or Debian's `lua-busted`), as `luarocks test`,
--- nvim-busted-action and lazy.nvim's minit run it. Replace
--- `require("plenary.async")`
--- by `require("plenary_async")` (or call
--- `require("plenary_async").as_plenary()` first and keep it), and give
--- busted a `.busted` file at the root:
--- >lua
---   return {
---     default = { lpath = "lua/?.lua;lua/?/init.lua", ROOT = { "tests" } },
---   }
--- <
--- Then run busted with Neovim as its interpreter, through a two-line
--- shim (busted splits a `--lua` value with spaces), where Neovim's LuaJIT
--- finds busted's modules and plenary_async's (luarocks: `eval "$(luarocks
--- path --lua-version 5.1)"`; Debian's `lua-busted` paths shown):
--- >sh
---   printf '#!/bin/sh\nexec nvim -l "$@"\n' > tests/nvim-shim
---   chmod +x tests/nvim-shim
---   export LUA_PATH="/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua;;"
---   export LUA_CPATH="/usr/lib/x86_64-linux-gnu/lua/5.1/?.so;;"
---   busted --lua=tests/nvim-shim
--- <
--- A spec, as plenary's users write them, unchanged but for the module's
--- name (this one runs in this project's CI, tests/fixtures/moved_spec.lua):
---@include tests/fixtures/moved_spec.lua

---@doc plenary_async-health Health
--- `:checkhealth plenary_async` reports the version, the Neovim it runs in,
--- whether Rust plugins can attach to this Neovim's loop (it exports libuv's
--- functions), and settings left over from older versions
--- (`vim.g.plenary_async_backend`).

---@class plenary_async.Task
---@field cancel fun(self: plenary_async.Task) Drops the task at once (its pending waits are abandoned).
---@field is_finished fun(self: plenary_async.Task): boolean

---@class plenary_async.Permit
---@field forget fun(self: plenary_async.Permit) Releases the permit (plenary's name).

---@class plenary_async.Semaphore
---@field permits integer The permits free now (plenary's field).
---@field acquire async fun(self?: plenary_async.Semaphore): plenary_async.Permit Waits for a permit; waiters are served first-in-first-out.
---@field available_permits fun(self?: plenary_async.Semaphore): integer

---@class plenary_async.Condvar
---@field wait async fun(self?: plenary_async.Condvar) Waits until notified.
---@field notify_all fun(self?: plenary_async.Condvar) Wakes every task waiting now.
---@field notify_one fun(self?: plenary_async.Condvar) Wakes the longest waiter.

---@class plenary_async.CounterSender
---@field send fun() Adds one notification.

---@class plenary_async.CounterReceiver
---@field recv async fun() Waits for a notification and takes it.
---@field last async fun() Waits for a notification and takes them all.

---@class plenary_async.MpscSender
---@field send fun(...: any) Queues the values (nil and false included).

---@class plenary_async.MpscReceiver
---@field recv async fun(): ... Waits for the next message.
---@field last async fun(): ... Waits for a message, returns the newest, drops the rest.

---@class plenary_async.channel
local channel = {}

--- A channel for one message: the sender is a plain function, the receiver
--- an async function.
---@return fun(...: any) send
---@return async fun(): ... recv
function channel.oneshot() end

---@return plenary_async.CounterSender
---@return plenary_async.CounterReceiver
function channel.counter() end

---@return plenary_async.MpscSender
---@return plenary_async.MpscReceiver
function channel.mpsc() end

---@class plenary_async.control
---@field channel plenary_async.channel
---@field Condvar { new: fun(): plenary_async.Condvar }
---@field Semaphore { new: fun(permits: integer): plenary_async.Semaphore }

---@class plenary_async.util
local util = {}

--- Suspends the task for `ms` milliseconds (finite, >= 0), counted on the
--- loop's clock as libuv's timers count (`vim.uv.now()`, read at the
--- start of each turn of the loop). `sleep(ms, cb)` calls `cb` after them.
---@async
---@param ms number milliseconds
---@param cb? fun()
function util.sleep(ms, cb) end

--- Waits for the next loop turn (a context where the API is safe).
---@async
function util.scheduler() end

--- Runs `fn` as a task and waits for it; raises an error after `timeout` ms (2000).
---@param fn async fun(): ...
---@param timeout? integer
---@return ...
function util.block_on(fn, timeout) end

---@param fn async fun(...): ...
---@param timeout? integer
---@return fun(...): ...
function util.will_block(fn, timeout) end

--- Runs the functions concurrently; returns one packed result table each.
---@async
---@param fns (async fun(): ...)[]
---@return table[]
function util.join(fns) end

---@param fns (async fun(): ...)[]
---@param callback? fun(results: table[])
function util.run_all(fns, callback) end

--- Each function gets a callback; the first call wins, the others are cancelled.
---@async
---@param fns (fun(cb: fun(...)))[]
---@return ...
function util.run_first(fns) end

--- The first function to return wins; the others are cancelled.
---@async
---@param fns (async fun(): ...)[]
---@return ...
function util.race(fns) end

---@async
---@param fn async fun(...): ...
---@return boolean ok
---@return ...
function util.apcall(fn, ...) end

---@async
---@param fn async fun(): ...
---@return boolean ok
---@return ...
function util.protected(fn) end

---@class plenary_async.tests.Opts
---@field timeout? number The body's limit in ms (0 to 2^31 - 1); else `$PLENARY_TEST_TIMEOUT`, else 2000.

--- Async test bodies for the test runner that runs the file
--- (|plenary_async-tests|).
---@class plenary_async.tests
local tests = {}

--- The runner's `describe`.
---@param name string
---@param fn fun()
function tests.describe(name, fn) end

--- The runner's `it`, with `fn` run as a task: it may await. Past its limit
--- the test fails with the stack the task waits on, and the task is
--- canceled.
---@param name string
---@param fn async fun()
---@param opts? plenary_async.tests.Opts
function tests.it(name, fn, opts) end

--- The runner's `pending`.
---@param name string
---@param fn? fun()
function tests.pending(name, fn) end

--- The runner's `before_each`, with `fn` run as a task.
---@param fn async fun()
---@param opts? plenary_async.tests.Opts
function tests.before_each(fn, opts) end

--- The runner's `after_each`, with `fn` run as a task. It runs after a
--- failed body too.
---@param fn async fun()
---@param opts? plenary_async.tests.Opts
function tests.after_each(fn, opts) end

--- For any runner, and for a child Neovim: a function that runs `fn(...)`
--- as a task, waits for it (Neovim's loop runs meanwhile) and returns its
--- results, or raises its error (with the task's traceback) or a timeout.
--- >lua
---   local sum = require("plenary_async").tests.wrap(function(x, y)
---     require("plenary_async").util.sleep(1)
---     return x + y
---   end)(2, 3)
--- <
---@param fn async fun(...): ...
---@param opts? plenary_async.tests.Opts
---@return fun(...): ...
function tests.wrap(fn, opts) end

--- Puts `a` (this module, with `a.describe`, `a.it`, ...) into the calling
--- chunk's environment, as plenary's `add_to_env` does.
function tests.add_to_env() end

--- Sets the global `a` to this module, with `a.it`, `a.describe`, ...
function tests.add_globals() end

---@alias plenary_async.uv.err string? nil on success, else luv's message: `"ENOENT: no such file or directory: /path"`

---@class plenary_async.uv.stat
---@field dev integer
---@field mode integer
---@field nlink integer
---@field uid integer
---@field gid integer
---@field rdev integer
---@field ino integer
---@field size integer
---@field blksize integer
---@field blocks integer
---@field atime { sec: integer, nsec: integer }
---@field mtime { sec: integer, nsec: integer }
---@field ctime { sec: integer, nsec: integer }
---@field type "file"|"directory"|"link"|"fifo"|"socket"|"char"|"block"|"unknown"

---@alias plenary_async.uv.entry { name: string, type: string }
---@alias plenary_async.uv.addr { ip: string, port: integer, family: "inet"|"inet6" }

--- A handle of the runtime: `new_tcp()`, `new_pipe()` or `new_udp()`. Its
--- methods are the `uv` functions of the same name without the prefix
--- (`h:connect(...)`, `h:bind(...)`, `h:listen()`, `h:accept(c)`, `h:read()`,
--- `h:write(data)`, `h:shutdown()`, `h:close()`, `h:send(...)`, `h:recv()`,
--- `h:getsockname()`, `h:getpeername()`, `h:nodelay(on)`, `h:keepalive(on, s)`,
--- `h:open(fd)`, `h:is_closing()`).
---@class plenary_async.uv.Handle : userdata

--- A directory from `fs_opendir`.
---@class plenary_async.uv.Dir : userdata

--- plenary's `a.uv`: the same names, arguments and `err, result` returns,
--- on the runtime's libuv requests and handles (not luv). Async functions
--- must be called inside a task; the synchronous ones (`new_*`, `*_bind`,
--- `pipe_open`, `accept`, `getsockname`, `getpeername`, `tcp_nodelay`,
--- `tcp_keepalive`) return luv's `0`, or `nil, err, name`. Handle
--- functions also take luv handles (`vim.uv.new_tcp()`), which luv serves.
---@class plenary_async.uv
---@field fs_open async fun(path: string, flags: string|integer, mode: integer): plenary_async.uv.err, integer?
---@field fs_close async fun(fd: integer): plenary_async.uv.err, boolean?
---@field fs_read async fun(fd: integer, size: integer, offset?: integer): plenary_async.uv.err, string? at most 2,147,479,552 bytes per call (one read(2)); `ENOMEM` if the buffer cannot be had
---@field fs_write async fun(fd: integer, data: string, offset?: integer): plenary_async.uv.err, integer?
---@field fs_fstat async fun(fd: integer): plenary_async.uv.err, plenary_async.uv.stat?
---@field fs_stat async fun(path: string): plenary_async.uv.err, plenary_async.uv.stat?
---@field fs_lstat async fun(path: string): plenary_async.uv.err, plenary_async.uv.stat?
---@field fs_fsync async fun(fd: integer): plenary_async.uv.err, boolean?
---@field fs_fdatasync async fun(fd: integer): plenary_async.uv.err, boolean?
---@field fs_ftruncate async fun(fd: integer, len: integer): plenary_async.uv.err, boolean?
---@field fs_sendfile async fun(out_fd: integer, in_fd: integer, offset: integer, len: integer): plenary_async.uv.err, integer?
---@field fs_statfs async fun(path: string): plenary_async.uv.err, { type: integer, bsize: integer, blocks: integer, bfree: integer, bavail: integer, files: integer, ffree: integer }?
---@field fs_unlink async fun(path: string): plenary_async.uv.err, boolean?
---@field fs_mkdir async fun(path: string, mode?: integer): plenary_async.uv.err, boolean?
---@field fs_rmdir async fun(path: string): plenary_async.uv.err, boolean?
---@field fs_rename async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_mkdtemp async fun(template: string): plenary_async.uv.err, string?
---@field fs_scandir async fun(path: string): plenary_async.uv.err, plenary_async.uv.entry[]?
---@field fs_opendir async fun(path: string, entries?: integer): plenary_async.uv.err, plenary_async.uv.Dir?
---@field fs_readdir async fun(dir: plenary_async.uv.Dir): plenary_async.uv.err, plenary_async.uv.entry[]? `nil` entries at the end
---@field fs_closedir async fun(dir: plenary_async.uv.Dir): plenary_async.uv.err, boolean?
---@field fs_realpath async fun(path: string): plenary_async.uv.err, string?
---@field fs_readlink async fun(path: string): plenary_async.uv.err, string?
---@field fs_access async fun(path: string, mode: integer|string): plenary_async.uv.err, boolean?
---@field fs_copyfile async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_symlink async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_link async fun(path: string, new_path: string): plenary_async.uv.err, boolean?
---@field fs_chmod async fun(path: string, mode: integer): plenary_async.uv.err, boolean?
---@field fs_fchmod async fun(fd: integer, mode: integer): plenary_async.uv.err, boolean?
---@field fs_utime async fun(path: string, atime: number, mtime: number): plenary_async.uv.err, boolean?
---@field fs_futime async fun(fd: integer, atime: number, mtime: number): plenary_async.uv.err, boolean?
---@field fs_chown async fun(path: string, uid: integer, gid: integer): plenary_async.uv.err, boolean?
---@field fs_fchown async fun(fd: integer, uid: integer, gid: integer): plenary_async.uv.err, boolean?
---@field getaddrinfo async fun(host: string, service?: string): plenary_async.uv.err, { addr: string, port: integer, family: string, socktype: string, protocol: integer }[]?
---@field getnameinfo async fun(ip: string, port?: integer): plenary_async.uv.err, string?, string?
---@field new_tcp fun(): plenary_async.uv.Handle
---@field new_pipe fun(): plenary_async.uv.Handle
---@field new_udp fun(): plenary_async.uv.Handle
---@field tcp_bind fun(tcp: plenary_async.uv.Handle, host: string, port: integer): 0?, string?, string? binds and listens (connections queue for `listen`)
---@field pipe_bind fun(pipe: plenary_async.uv.Handle, name: string): 0?, string?, string?
---@field pipe_open fun(pipe: plenary_async.uv.Handle, fd: integer): 0?, string?, string?
---@field udp_bind fun(udp: plenary_async.uv.Handle, host: string, port: integer): 0?, string?, string?
---@field accept fun(server: plenary_async.uv.Handle, client: plenary_async.uv.Handle): 0?, string?, string? takes the connection `listen` announced
---@field getsockname fun(h: plenary_async.uv.Handle): plenary_async.uv.addr|string|nil, string?
---@field getpeername fun(h: plenary_async.uv.Handle): plenary_async.uv.addr?, string?
---@field tcp_nodelay fun(tcp: plenary_async.uv.Handle, on: boolean): 0?, string?, string?
---@field tcp_keepalive fun(tcp: plenary_async.uv.Handle, on: boolean, delay?: integer): 0?, string?, string?
---@field is_closing fun(h: plenary_async.uv.Handle): boolean
---@field tcp_connect async fun(tcp: plenary_async.uv.Handle|uv.uv_tcp_t, host: string, port: integer): plenary_async.uv.err
---@field pipe_connect async fun(pipe: plenary_async.uv.Handle|uv.uv_pipe_t, name: string): plenary_async.uv.err
---@field listen async fun(server: plenary_async.uv.Handle|uv.uv_stream_t, backlog?: integer): plenary_async.uv.err waits for the next connection (`backlog`, a whole number from 0 to 2147483647, is checked as luv checks it and not used: the handle listens from its bind)
---@field read async fun(stream: plenary_async.uv.Handle): plenary_async.uv.err, string? the next chunk; `nil` at the end
---@field write async fun(stream: plenary_async.uv.Handle|uv.uv_stream_t, data: string|string[]): plenary_async.uv.err
---@field write2 async fun(stream: uv.uv_pipe_t, data: string|string[], send: uv.uv_stream_t): plenary_async.uv.err luv handles only
---@field shutdown async fun(stream: plenary_async.uv.Handle|uv.uv_stream_t): plenary_async.uv.err
---@field close async fun(handle: plenary_async.uv.Handle|uv.uv_handle_t) ends the handle's waiting operations with ECANCELED
---@field udp_send async fun(udp: plenary_async.uv.Handle|uv.uv_udp_t, data: string|string[], host: string, port: integer): plenary_async.uv.err
---@field udp_recv_start async fun(udp: plenary_async.uv.Handle|uv.uv_udp_t): plenary_async.uv.err, string?, plenary_async.uv.addr?, table? the next datagram

---@class plenary_async.lsp.RequestOpts
---@field timeout? number Ends the wait after this many ms with an error that names the method, the client and the limit; the request is canceled.
---@field bufnr? integer The buffer the request is about (0: the current one).

--- plenary's `buf_request_all` and `buf_request`, and `request`: one
--- client's answer, canceled on the server (`$/cancelRequest`) when the
--- awaiting task stops waiting: canceled, past `opts.timeout`, the loser of
--- a `util.race` or `util.run_first`, or a `vim_async` task that is closed.
--- A request never leaves its task waiting for good on a canceled request
--- (Neovim 0.11 calls no handler then), and an answer that comes after the
--- cancel is dropped. If the server exits before it answers, Neovim calls
--- no handler either: bound such waits with `opts.timeout`.
---@class plenary_async.lsp
local lsp = {}

--- Sends `method` to every client of buffer `bufnr`; returns their
--- results by client id.
---@async
---@param bufnr integer
---@param method string
---@param params table
---@return table<integer, { err: lsp.ResponseError?, result: any }>
function lsp.buf_request_all(bufnr, method, params) end

--- Sends `method` to every client of buffer `bufnr`; returns the first
--- answer (later answers are dropped).
---@async
---@param bufnr integer
---@param method string
---@param params table
---@return lsp.ResponseError? err
---@return any result
---@return lsp.HandlerContext ctx
---@return table? config
function lsp.buf_request(bufnr, method, params) end

--- Sends `method` with `params` to one client (`Client:request`) and waits
--- for its answer: `err, result, ctx` as a handler gets them. An `err`
--- whose code is `RequestFailed` means the client had stopped.
--- >lua
---   local client = vim.lsp.get_clients({ bufnr = 0, name = "clangd" })[1]
---   local err, hover = a.lsp.request(client, "textDocument/hover",
---     vim.lsp.util.make_position_params(0, client.offset_encoding),
---     { timeout = 1000 })
--- <
---@async
---@param client vim.lsp.Client|integer A client, or its id.
---@param method string
---@param params table?
---@param opts? plenary_async.lsp.RequestOpts
---@return lsp.ResponseError? err
---@return any result
---@return lsp.HandlerContext ctx
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/hover", params: lsp.HoverParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.Hover?, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/definition", params: lsp.DefinitionParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.Location|lsp.Location[]|lsp.LocationLink[]|nil, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/references", params: lsp.ReferenceParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.Location[]?, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/completion", params: lsp.CompletionParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.CompletionItem[]|lsp.CompletionList|nil, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/signatureHelp", params: lsp.SignatureHelpParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.SignatureHelp?, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/documentSymbol", params: lsp.DocumentSymbolParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.DocumentSymbol[]|lsp.SymbolInformation[]|nil, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/formatting", params: lsp.DocumentFormattingParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.TextEdit[]?, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "textDocument/codeAction", params: lsp.CodeActionParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, (lsp.Command|lsp.CodeAction)[]?, lsp.HandlerContext
---@overload fun(client: vim.lsp.Client|integer, method: "workspace/symbol", params: lsp.WorkspaceSymbolParams, opts?: plenary_async.lsp.RequestOpts): lsp.ResponseError?, lsp.SymbolInformation[]|lsp.WorkspaceSymbol[]|nil, lsp.HandlerContext
function lsp.request(client, method, params, opts) end

---@class plenary_async
---@field lsp plenary_async.lsp
---@field uv plenary_async.uv
---@field util plenary_async.util
---@field control plenary_async.control
---@field tests plenary_async.tests
---@field api table<string, async fun(...): ...> `vim.api`, callable from tasks in any context.
---@field structs { Deque: table } plenary's Deque: `new`, `pushleft`, `pushright`, `popleft`, `popright`, `len`, `is_empty`, `ipairs_left`, `ipairs_right`, `clear`.
---@field it fun(name: string, fn: async fun())
---@field describe fun(name: string, fn: fun())
local M = {}

--- Runs `fn` as a task; `callback(success, ...)` gets its results or its error with traceback.
---@param fn async fun(): ...
---@param callback? fun(success: boolean, ...: any)
---@return plenary_async.Task
function M.run(fn, callback) end

--- A function that starts `fn(...)` as a task and returns at once.
---@param fn async fun(...)
---@return fun(...)
function M.void(fn) end

--- Turns a callback-style function into an async function; the callback is argument `argc` (1 to 64).
--- Called with all `argc` arguments (the callback included) it calls `fn`
--- directly. Called with fewer in a task, it calls `fn` in the task (so `fn`
--- may itself await) and returns the arguments of the callback's first call;
--- later calls are ignored. A callback called before `fn` returns gives its
--- values without the task yielding. If `fn` raises, the caller gets the
--- error. As in plenary, a callback that is never called leaves the task
--- waiting: bound the wait with `util.block_on(fn, timeout)` or a
--- `util.race` against `util.sleep`.
---@param fn fun(...)
---@param argc integer
---@return async fun(...): ...
function M.wrap(fn, argc) end

--- Whether the running code is a task of this module (`run`, `void`, a
--- test): where async functions may be called.
---@return boolean
function M.in_task() end

--- For task code: calls `fn(..., cb)` with the callback at position `argc`
--- (1 to 64; missing arguments are nil) and returns the arguments of the
--- callback's first call (`wrap` without making a function). If `fn`
--- returns a handle with a `close` method and the task is canceled while
--- it waits, the handle is closed (`vim.async`'s convention: a Rust
--- plugin's future is dropped).
---@async
---@param argc integer
---@param fn fun(...): any?
---@param ... any
---@return any ...
function M.await(argc, fn, ...) end

--- Whether `f` is an async function that takes plenary's callback form (made by `wrap`).
---@param f function
---@return boolean
function M.is_leaf_function(f) end

--- The callback position of an async function made by `wrap`, or nil.
---@param f function
---@return integer?
function M.get_leaf_function_argc(f) end

--- Registers this module as `plenary.async` and every submodule of its tree,
--- with plenary's contracts (`run`'s callback gets the results only; see the README).
---@return plenary_async
function M.as_plenary() end

--- Installs |plenary_async.vim_async| as `vim.async` when Neovim has none
--- (0.11, 0.12); with `force`, also over a built-in one. Returns the table
--- now in `vim.async`.
---@param force? boolean
---@return plenary_async.vim_async
function M.as_vim_async(force) end

--- Which core serves `a.uv`, and why: always `"lua"` (luv, Neovim's
--- `vim.uv`) since version 0.2.0, which removed the native module; kept
--- for plugins that ask.
---@return "lua" name
---@return string reason
function M.backend() end

--- The version of the Lua files (lua/plenary_async/version.lua).
---@type string
M.VERSION = ""

return M
