-- Quitting Neovim with tasks still pending exits cleanly and quickly.
describe("quitting Neovim", function()
  it("with pending tasks and open handles exits at once, with status 0", function()
    local start = vim.uv.hrtime()
    local out = require("support").child({
      'local a = require("plenary_async")',
      "for i = 1, 100 do a.run(function() a.util.sleep(600000) end) end",
      "local tx, rx = a.control.channel.oneshot()",
      "a.run(function() rx() end)",
      "a.run(function() local cv = a.control.Condvar.new(); cv:wait() end)",
      -- A server waiting for connections and a connection waiting to read.
      "local s = a.uv.new_tcp(); a.uv.tcp_bind(s, '127.0.0.1', 0)",
      "local port = a.uv.getsockname(s).port",
      "a.run(function() a.uv.listen(s) end)",
      "a.run(function() local c = a.uv.new_tcp(); a.uv.tcp_connect(c, '127.0.0.1', port); a.uv.read(c) end)",
      -- Quit from the loop while everything above waits (a script run
      -- with -l would otherwise just end).
      'vim.defer_fn(function() vim.cmd("qall!") end, 50)',
      "vim.wait(10000, function() return false end)",
      "os.exit(3) -- not reached: qall! has ended Neovim",
    })
    local seconds = (vim.uv.hrtime() - start) / 1e9
    assert(out.code == 0, ("exit status %s, signal %s, stderr: %s"):format(out.code, out.signal, out.stderr))
    -- "Quickly": well before the 10-minute sleeps; a generous bound.
    assert(seconds < 20, ("took %.1f s"):format(seconds))
  end)
end)
