# One helper for libraries, one for tests, one for service binaries (see STYLE.md "Seams and tests").

# switchboard_add_library(NAME <name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# Creates target sb_<name> with alias switchboard::<name>; public headers live in include/.
function(switchboard_add_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(sb_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(switchboard::${ARG_NAME} ALIAS sb_${ARG_NAME})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include)
    target_include_directories(sb_${ARG_NAME} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  endif()
  target_link_libraries(sb_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# switchboard_add_test(UNIT|INTEGRATION|E2E NAME <name> SOURCES ... [DEPS ...])
# A GoogleTest binary whose tests are registered with ctest under the tier's label.
# switchboard_add_test(BENCH NAME <name> SOURCES ... [DEPS ...]) builds a Google Benchmark binary
# (run by hand; benchmarks print numbers, they are not pass/fail tests).
function(switchboard_add_test TIER)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  string(TOLOWER ${TIER} label)
  if(label STREQUAL "bench")
    add_executable(bench_${ARG_NAME} ${ARG_SOURCES})
    target_link_libraries(bench_${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark_main)
    return()
  endif()
  if(NOT label MATCHES "^(unit|integration|e2e)$")
    message(FATAL_ERROR "switchboard_add_test: tier must be UNIT, INTEGRATION, E2E or BENCH")
  endif()
  set(target ${label}_${ARG_NAME})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${target}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS ${label}
    TEST_PREFIX "${label}.${ARG_NAME}."
    DISCOVERY_TIMEOUT 30)
endfunction()

# switchboard_add_service(NAME <name> SOURCES ... [DEPS ...])
# <name>_lib holds everything but main.cpp so tests link the same code as the binary.
function(switchboard_add_service)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  string(REPLACE "-" "_" lib ${ARG_NAME})
  add_library(${lib}_lib STATIC ${ARG_SOURCES})
  target_include_directories(${lib}_lib PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(${lib}_lib PUBLIC ${ARG_DEPS})
  add_executable(${ARG_NAME} main.cpp)
  target_link_libraries(${ARG_NAME} PRIVATE ${lib}_lib CLI11::CLI11)
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
endfunction()
