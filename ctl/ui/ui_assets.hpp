// The web page of trailctl ui (ctl/ui/assets/), compiled into the binary by
// ctl/ui/embed_assets.cmake: no files to install, no CDN, nothing to build at run time.
#pragma once

#include <optional>
#include <string_view>

namespace traild::ctl {

struct UiAsset {
  std::string_view content;
  const char* content_type;
};

// The asset served at `path` ("/index.html", "/app.js", "/app.css"), or nullopt.
std::optional<UiAsset> ui_asset(std::string_view path);

}  // namespace traild::ctl
