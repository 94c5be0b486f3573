# Every third-party dependency is found here, once, so targets elsewhere only name them.
# See README.md ("Dependencies") for why each one is used.
find_package(Threads REQUIRED)
find_package(Protobuf REQUIRED)                     # module mode: Debian ships no config file
find_package(gRPC CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)                   # Beast/Asio are header-only
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
# Name both: the C++ wrapper and the C library whose admin API we call directly.
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++ rdkafka)
# hiredis' own CMake config is broken on Debian 12; pkg-config is reliable.
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
# Gateways: libcurl for HTTPS calls to platform APIs (Telegram, WhatsApp) and SMTP submission;
# OpenSSL for HMAC-SHA256 webhook signatures; GMime for parsing e-mail (MIME) in gateway-email.
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(GMIME REQUIRED IMPORTED_TARGET gmime-3.0)
