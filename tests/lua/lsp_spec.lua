-- a.lsp against two in-process fake language servers.
local a = require("plenary_async")

--- How many hover requests the fake servers have answered.
local hovers = 0

--- A language server living in this Neovim: answers every request with
--- `reply` (synchronously, as a fast server would).
local function fake_server(reply)
  return function(dispatchers)
    local closing = false
    local id = 0
    return {
      request = function(method, _, callback)
        id = id + 1
        if method == "initialize" then
          callback(nil, { capabilities = { hoverProvider = true } })
        elseif method == "shutdown" then
          callback(nil, nil)
        else
          hovers = hovers + 1
          callback(nil, reply)
        end
        return true, id
      end,
      notify = function(method)
        if method == "exit" then
          dispatchers.on_exit(0, 15)
        end
        return true
      end,
      is_closing = function()
        return closing
      end,
      terminate = function()
        closing = true
      end,
    }
  end
end

describe("lsp", function()
  local buf = vim.api.nvim_create_buf(false, true)
  local clients = {}
  for i = 1, 2 do
    clients[i] = vim.lsp.start({
      name = "fake" .. i,
      cmd = fake_server({ contents = "answer " .. i }),
      root_dir = vim.fn.getcwd(),
    }, { bufnr = buf })
  end

  it("has two fake clients attached", function()
    assert(vim.wait(5000, function()
      return #vim.lsp.get_clients({ bufnr = buf }) == 2
    end))
  end)

  ait("buf_request_all returns every client's result", function()
    local results = a.lsp.buf_request_all(buf, "textDocument/hover", {})
    local answers = {}
    for _, r in pairs(results) do
      table.insert(answers, r.result.contents)
    end
    table.sort(answers)
    assert(table.concat(answers, ",") == "answer 1,answer 2", vim.inspect(results))
  end)

  ait("buf_request resumes once, though its handler runs once per client", function()
    vim.v.errmsg = ""
    local before = hovers
    local err, result = a.lsp.buf_request(buf, "textDocument/hover", {})
    assert(err == nil and result.contents:find("^answer "), vim.inspect(result))
    -- Both servers answered (within the call: they answer at once); the
    -- second answer resumed nothing (plenary resumes the task again, and
    -- the dead coroutine's error reaches Neovim).
    assert.are.equal(2, hovers - before)
    a.util.scheduler()
    assert.are.equal("", vim.v.errmsg)
  end)

  teardown(function()
    for _, id in ipairs(clients) do
      vim.lsp.stop_client(id, true)
    end
  end)
end)
