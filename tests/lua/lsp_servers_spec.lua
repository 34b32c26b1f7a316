-- a.lsp against real language servers: clangd (Debian's clangd) and pylsp
-- (PyPI's python-lsp-server, which scripts/test-lua.sh installs into
-- .venv-nvim). A server that is not installed is skipped with a message.
--
-- Cancellation is observed as Neovim reports it, through the LspRequest
-- autocmd: a request goes "pending", then "cancel" when the client sends
-- $/cancelRequest, then "complete" when the server's answer (a result, or
-- clangd's -32800) arrives, and Neovim drops that answer.
local a = require("plenary_async")
local uv = vim.uv

--- Where a server's program is, or nil and why not.
local function find(program, package)
  if vim.fn.has("win32") == 1 then
    return nil, ("%s: the language servers here are Linux programs (Neovim for Windows under wine)"):format(program)
  end
  for _, path in ipairs({ ROOT .. "/.venv-nvim/bin/" .. program, vim.fn.exepath(program) }) do
    if path ~= "" and vim.fn.executable(path) == 1 then
      return path
    end
  end
  return nil, ("%s is not installed (%s)"):format(program, package)
end

--- A folder with `files` (name -> lines).
local function project(files)
  local dir = vim.fn.tempname()
  vim.fn.mkdir(dir, "p")
  for name, lines in pairs(files) do
    vim.fn.writefile(lines, dir .. "/" .. name)
  end
  return dir
end

--- Starts the server `cmd` as client `name` on `buf` and waits until it is
--- initialized; returns the client.
local function start(name, cmd, dir, buf)
  local id = assert(vim.lsp.start({ name = name, cmd = cmd, root_dir = dir }, {
    bufnr = buf,
    reuse_client = function()
      return false
    end,
  }))
  local client = assert(vim.lsp.get_client_by_id(id))
  assert(
    vim.wait(60000, function()
      return client.initialized == true
    end, 10),
    name .. " did not initialize"
  )
  return client
end

--- Stops the clients (shutdown, then exit) and waits until they have.
local function stop(clients)
  for _, c in ipairs(clients) do
    c:stop()
  end
  vim.wait(10000, function()
    for _, c in ipairs(clients) do
      if not c:is_stopped() then
        return false
      end
    end
    return true
  end, 10)
end

--- Records every LspRequest event of `client`: `log[request_id]` is the
--- list of its types ("pending", "cancel", "complete"); `log.order` the
--- ids in the order they went pending.
local function watch(client)
  local log = { order = {} }
  local au = vim.api.nvim_create_autocmd("LspRequest", {
    callback = function(ev)
      local d = ev.data
      if d.client_id == client.id then
        if log[d.request_id] == nil then
          log[d.request_id] = {}
          table.insert(log.order, d.request_id)
        end
        table.insert(log[d.request_id], d.request.type)
      end
    end,
  })
  log.stop = function()
    vim.api.nvim_del_autocmd(au)
  end
  return log
end

--- Waits (running the loop) until request `id`'s answer has arrived.
local function wait_complete(log, id)
  assert(
    vim.wait(30000, function()
      local types = log[id] or {}
      return types[#types] == "complete"
    end, 5),
    "the server never answered request " .. tostring(id)
  )
end

local function position(buf, line, character)
  return {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = character },
  }
end

--- The message of `err` without its "file:line: " position.
local function message(err)
  return (tostring(err):gsub("^[^\n]-:%d+: ", ""))
end

local CPP = {
  "#include <bits/stdc++.h>",
  "int add(int a, int b) { return a + b; }",
  "int main() { return add(1, 2); }",
  "int use() { return ad(3, 4); }",
}

describe("a.lsp.request against clangd", function()
  local clangd, why = find("clangd", "Debian: clangd")
  if not clangd then
    pending(why)
    return
  end
  local dir, buf, buf2, client, twin

  lazy_setup(function()
    dir = project({ ["main.cpp"] = CPP, ["other.cpp"] = CPP, ["compile_flags.txt"] = { "-std=c++17" } })
    buf = vim.fn.bufadd(dir .. "/main.cpp")
    vim.fn.bufload(buf)
    buf2 = vim.fn.bufadd(dir .. "/other.cpp")
    vim.fn.bufload(buf2)
    client = start("clangd", { clangd }, dir, buf)
  end)

  lazy_teardown(function()
    stop({ client, twin })
    vim.fn.delete(dir, "rf")
  end)

  ait("times out on the slow first hover of a file that includes <bits/stdc++.h>, and cancels it", function()
    local log = watch(client)
    local start_ms = uv.now()
    local ok, err =
      pcall(a.lsp.request, client, "textDocument/hover", position(buf, 2, 20), { timeout = 100, bufnr = buf })
    local took = uv.now() - start_ms
    log.stop()
    assert.is_false(ok)
    assert.are.equal(
      ("plenary_async.lsp.request: textDocument/hover to clangd (client %d) timed out after 100 ms; the request was canceled"):format(
        client.id
      ),
      message(err)
    )
    assert.is_true(took >= 100 and took < 2000, ("ended after %d ms"):format(took))
    local id = log.order[1]
    assert.are.same({ "pending", "cancel" }, log[id])
  end, 30000)

  ait("answers hover, definition and completion", function()
    local err, hover, ctx = a.lsp.request(client, "textDocument/hover", position(buf, 2, 20), { bufnr = buf })
    assert.is_nil(err)
    assert.is_truthy(hover.contents.value:find("int add(int a, int b)", 1, true), vim.inspect(hover))
    assert.are.same({ "textDocument/hover", client.id, buf }, { ctx.method, ctx.client_id, ctx.bufnr })

    local err2, defs = a.lsp.request(client.id, "textDocument/definition", position(buf, 2, 20), { bufnr = buf })
    assert.is_nil(err2)
    local def = defs[1] or defs
    assert.are.same({ line = 1, character = 4 }, def.range.start)

    local err3, completion = a.lsp.request(client, "textDocument/completion", position(buf, 3, 21), { bufnr = buf })
    assert.is_nil(err3)
    local labels = {}
    for _, item in ipairs(completion.items or completion) do
      labels[vim.trim(item.filterText or item.label)] = true
    end
    assert.is_true(labels.add, vim.inspect(vim.tbl_keys(labels)))
  end, 30000)

  ait("cancels a race's losing request on the server, and drops its answer", function()
    local log = watch(client)
    local sent, wait_sent = a.control.channel.oneshot()
    local au = vim.api.nvim_create_autocmd("LspRequest", {
      callback = function(ev)
        if ev.data.client_id == client.id and ev.data.request.type == "pending" then
          sent(ev.data.request_id)
          return true -- (once)
        end
      end,
    })
    local loser_resumed = false
    local winner = a.util.race({
      function()
        -- other.cpp's first hover: slow, as the first one above.
        a.lsp.request(client, "textDocument/hover", position(buf2, 2, 20), { bufnr = buf2 })
        loser_resumed = true
        return "the request"
      end,
      function()
        return "the request was sent", wait_sent()
      end,
    })
    pcall(vim.api.nvim_del_autocmd, au)
    assert.are.equal("the request was sent", winner)
    local id = log.order[1]
    assert.are.same({ "pending", "cancel" }, log[id])
    -- clangd answers the cancel (-32800); Neovim drops it, and so do we.
    vim.wait(30000, function()
      local types = log[id]
      return types[#types] == "complete"
    end, 5)
    log.stop()
    assert.are.same({ "pending", "cancel", "complete" }, log[id])
    assert.is_false(loser_resumed)
  end, 60000)

  ait("cancels the request of a task that is canceled, and of a vim_async task that is closed", function()
    local log = watch(client)
    local resumed = false
    local t = a.run(function()
      a.lsp.request(client, "textDocument/hover", position(buf2, 3, 20), { bufnr = buf2 })
      resumed = true
    end)
    local first = log.order[1]
    assert.are.same({ "pending" }, log[first])
    t:cancel()
    assert.are.same({ "pending", "cancel" }, log[first])

    local va = a.vim_async
    local vt = va.run(function()
      a.lsp.request(client, "textDocument/hover", position(buf2, 1, 5), { bufnr = buf2 })
      resumed = true
    end)
    local second = log.order[2]
    vt:close()
    local ok, err = vt:pwait(5000)
    assert.is_false(ok)
    assert.are.equal("closed", err)
    assert.are.same({ "pending", "cancel" }, log[second])
    wait_complete(log, first)
    wait_complete(log, second)
    log.stop()
    assert.is_false(resumed)
  end, 60000)

  ait("buf_request_all returns the results of two clients on one buffer", function()
    twin = start("clangd-twin", { clangd }, dir, buf)
    local results = a.lsp.buf_request_all(buf, "textDocument/hover", position(buf, 2, 20))
    local got = {}
    for id, r in pairs(results) do
      assert.is_nil(r.err)
      got[id] = r.result.contents.value:find("int add(int a, int b)", 1, true) ~= nil
    end
    assert.are.same({ [client.id] = true, [twin.id] = true }, got)
  end, 60000)

  ait("rejects bad arguments with the whole message", function()
    local cases = {
      {
        { "clangd", "m" },
        "plenary_async.lsp.request: argument #1 must be a vim.lsp.Client or a client id, got a string",
      },
      { { 1e6, "m" }, "plenary_async.lsp.request: no client with id 1000000" },
      { { client, 5 }, "plenary_async.lsp.request: argument #2 (method) must be a string, got 5" },
      { { client, "m", {}, 5 }, "plenary_async.lsp.request: argument #4 must be a table of options or nil, got 5" },
      {
        { client, "m", {}, { timeout = -1 } },
        "plenary_async.lsp.request: opts.timeout must be a number of milliseconds from 0 to 2147483647, got -1",
      },
      {
        { client, "m", {}, { bufnr = 1e6 } },
        "plenary_async.lsp.request: opts.bufnr must be a valid buffer number, got 1000000",
      },
    }
    for _, c in ipairs(cases) do
      local ok, err = pcall(function()
        a.lsp.request(unpack(c[1], 1, 4))
      end)
      assert.is_false(ok)
      assert.is_truthy(err:find("^[^\n]*lsp_servers_spec.lua:%d+: "), err)
      assert.are.equal(c[2], message(err))
    end
  end)

  it("outside a task says that it is async", function()
    local ok, err = pcall(function()
      a.lsp.request(client, "textDocument/hover", {})
    end)
    assert.is_false(ok)
    assert.are.equal(
      "plenary_async: lsp.request is an async function; call it inside a task (a.run(fn, callback) or a.void(fn))",
      message(err)
    )
  end)
end)

describe("a.lsp.request against pylsp", function()
  local pylsp, why = find("pylsp", "PyPI: python-lsp-server")
  if not pylsp then
    pending(why)
    return
  end
  local dir, buf, client

  lazy_setup(function()
    dir = project({
      ["mod.py"] = {
        "def add(a, b):",
        '    """Adds two numbers."""',
        "    return a + b",
        "",
        "x = add(1, 2)",
        "y = ad",
      },
    })
    buf = vim.fn.bufadd(dir .. "/mod.py")
    vim.fn.bufload(buf)
    client = start("pylsp", { pylsp }, dir, buf)
  end)

  lazy_teardown(function()
    stop({ client })
    vim.fn.delete(dir, "rf")
  end)

  ait("answers hover, definition and completion", function()
    local err, hover =
      a.lsp.request(client, "textDocument/hover", position(buf, 4, 4), { bufnr = buf, timeout = 20000 })
    assert.is_nil(err)
    assert.is_truthy(vim.inspect(hover.contents):find("Adds two numbers.", 1, true), vim.inspect(hover))
    local err2, defs = a.lsp.request(client, "textDocument/definition", position(buf, 4, 4), { bufnr = buf })
    assert.is_nil(err2)
    assert.are.same({ line = 0, character = 4 }, defs[1].range.start)
    local err3, completion = a.lsp.request(client, "textDocument/completion", position(buf, 5, 6), { bufnr = buf })
    assert.is_nil(err3)
    local labels = {}
    for _, item in ipairs(completion.items or completion) do
      labels[item.label] = true
    end
    assert.is_true(labels["add(a, b)"] or labels.add, vim.inspect(vim.tbl_keys(labels)))
  end, 60000)

  ait("drops the answer of a canceled request that the server answers anyway", function()
    local log = watch(client)
    local resumed = false
    local t = a.run(function()
      a.lsp.request(client, "textDocument/hover", position(buf, 4, 4), { bufnr = buf })
      resumed = true
    end)
    local id = log.order[1]
    t:cancel()
    assert.are.same({ "pending", "cancel" }, log[id])
    wait_complete(log, id)
    log.stop()
    assert.is_false(resumed)
  end, 60000)
end)
