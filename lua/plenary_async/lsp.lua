-- `a.lsp`: `request(client, method, params, opts)`, one client's answer
-- with a time limit, canceled on the server when the task stops waiting;
-- and plenary's `buf_request_all(bufnr, method, params)`, which returns the
-- results of every client, and `buf_request(bufnr, method, params)`, which
-- returns `err, result, ctx, config` of the first client to answer. Its
-- handler is called once per client: plenary resumes the task once per
-- call (an error from the second on); here the later calls are ignored.
--
-- Neovim 0.11 never calls a request's handler once it was canceled (a
-- server's -32800 answer is dropped), and some servers answer a canceled
-- request anyway: so `request` ends its own wait when it cancels, and
-- ignores whatever comes after.
local async = require("plenary_async.async")
local task = require("plenary_async.task")
local validate = require("plenary_async.validate")

local wrap = async.wrap
local running, await_call = task.running, task.await_call
local type, error, tostring = type, error, tostring

local M = {}

M.buf_request_all = wrap(function(bufnr, method, params, cb)
  vim.lsp.buf_request_all(bufnr, method, params, cb)
end, 4)

M.buf_request = wrap(function(bufnr, method, params, cb)
  vim.lsp.buf_request(bufnr, method, params, cb)
end, 4)

--- The longest limit (libuv's timers take more; vim.wait does not).
local MAX_TIMEOUT = 2 ^ 31 - 1

--- What a timeout raises in the task, once its wait is over.
local TIMED_OUT = {}

local function describe_client(client)
  return ("%s (client %d)"):format(tostring(client.name), client.id)
end

--- The client `c` names: a vim.lsp.Client, or a client id.
local function resolve(c)
  if type(c) == "number" then
    local client = vim.lsp.get_client_by_id(c --[[@as integer]])
    if client == nil then
      error(("plenary_async.lsp.request: no client with id %s"):format(tostring(c)), 3)
    end
    return client
  end
  if type(c) == "table" and type(c.request) == "function" and type(c.id) == "number" then
    return c
  end
  validate.fail("lsp.request", "argument #1 must be a vim.lsp.Client or a client id", c, 3)
end

--- Sends the request and calls `cb(err, result, ctx)` once: with the
--- server's answer, or with TIMED_OUT, or with an error if it could not be
--- sent. Returns the closable that cancels it (closed if the task stops
--- waiting first).
---@param client vim.lsp.Client
---@param method string
---@param params table?
---@param bufnr integer?
---@param timeout number?
---@param cb fun(err: any, result: any, ctx: any)
---@return { close: fun(), is_closing: fun(): boolean }?
local function send(client, method, params, bufnr, timeout, cb)
  -- (A table: the callbacks below share what they change.)
  local st = { finished = false, timer = nil } ---@type { finished: boolean, timer: uv.uv_timer_t? }
  local function stop_timer()
    local timer = st.timer
    if timer ~= nil then
      st.timer = nil
      timer:stop()
      timer:close()
    end
  end
  local function finish(...)
    if st.finished then
      return
    end
    st.finished = true
    stop_timer()
    return cb(...)
  end
  local ok, id = client:request(method, params, finish, bufnr)
  if not ok then
    finish({
      code = vim.lsp.protocol.ErrorCodes.RequestFailed,
      message = ("plenary_async.lsp.request: %s could not send %s (it has stopped)"):format(
        describe_client(client),
        method
      ),
    })
    return nil
  end
  local function cancel()
    if not st.finished then
      st.finished = true
      stop_timer()
      if not client:is_stopped() then
        client:cancel_request(id --[[@as integer]])
      end
    end
  end
  local function expire()
    if not st.finished then
      cancel()
      cb(TIMED_OUT)
    end
  end
  if timeout ~= nil and not st.finished then
    local timer = vim.uv.new_timer()
    st.timer = timer
    -- (From a libuv callback: `expire` runs as Neovim's main code. A
    -- fraction of a ms rounds up.)
    timer:start(math.ceil(timeout), 0, function()
      vim.schedule(expire)
    end)
  end
  return {
    close = cancel,
    is_closing = function()
      return st.finished
    end,
  }
end

--- Sends `method` with `params` to one client and waits for its answer:
--- returns `err, result, ctx` as the client's handler gets them.
function M.request(client, method, params, opts)
  local t = running()
  if t == nil then
    validate.not_in_task("lsp.request")
  end
  client = resolve(client)
  if type(method) ~= "string" then
    validate.fail("lsp.request", "argument #2 (method) must be a string", method, 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    validate.fail("lsp.request", "argument #4 must be a table of options or nil", opts, 2)
  end
  local timeout, bufnr
  if opts ~= nil then
    timeout, bufnr = opts.timeout, opts.bufnr
    if timeout ~= nil and not validate.is_number(timeout, 0, MAX_TIMEOUT) then
      validate.fail(
        "lsp.request",
        ("opts.timeout must be a number of milliseconds from 0 to %d"):format(MAX_TIMEOUT),
        timeout,
        2
      )
    end
    if
      bufnr ~= nil
      and not (validate.is_whole(bufnr, 0, 2 ^ 31 - 1) and (bufnr == 0 or vim.api.nvim_buf_is_valid(bufnr)))
    then
      validate.fail("lsp.request", "opts.bufnr must be a valid buffer number", bufnr, 2)
    end
  end
  local err, result, ctx = await_call(t, send, 6, true, client, method, params, bufnr, timeout)
  if err == TIMED_OUT then
    error(
      ("plenary_async.lsp.request: %s to %s timed out after %s ms; the request was canceled"):format(
        method,
        describe_client(client),
        validate.shown(timeout)
      ),
      2
    )
  end
  return err, result, ctx
end

return M
