// On macOS a library loaded into Neovim must leave Lua's and libuv's
// symbols to Neovim's process (plenary-async-build explains why).
fn main() {
    plenary_async_build::neovim_module();
}
