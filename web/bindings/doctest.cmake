# The native doctest suite (tests/native/test_*.cpp) compiled to WebAssembly, so the same
# cases run on the SIMD128 build in Node (tests/node/doctest-wasm.test.mjs runs them): the
# "one suite, three places" of STYLE.md. Each file becomes build/wasm/doctest/test_<op>.js, a
# self-contained Node program (SINGLE_FILE: no .wasm beside it to fetch; NODERAWFS: it reads
# tests/fixtures directly).
#
# Not part of `all`, because compiling doctest for every op costs minutes on a shared
# machine: build with `cmake --build build/wasm --target convlab_wasm_doctests`, or
# CONVLAB_WASM_TESTS=1 bash scripts/build.sh.

# doctest lives in /usr/include, which must stay off the Emscripten include path; reach it
# through a directory holding only a link to it (as the top CMakeLists does for xsimd).
find_path(CONVLAB_DOCTEST_DIR doctest/doctest.h PATHS /usr/include /usr/local/include
          NO_CMAKE_FIND_ROOT_PATH NO_DEFAULT_PATH)
add_custom_target(convlab_wasm_doctests)
if(NOT CONVLAB_DOCTEST_DIR)
  message(STATUS "doctest not found: convlab_wasm_doctests builds nothing")
  return()
endif()
set(CONVLAB_DOCTEST_INCLUDE ${CMAKE_BINARY_DIR}/doctest-include)
file(MAKE_DIRECTORY ${CONVLAB_DOCTEST_INCLUDE})
file(CREATE_LINK ${CONVLAB_DOCTEST_DIR}/doctest ${CONVLAB_DOCTEST_INCLUDE}/doctest SYMBOLIC)

# The repository's package.json says "type": "module"; these programs are CommonJS.
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/doctest)
file(WRITE ${CMAKE_BINARY_DIR}/doctest/package.json "{ \"type\": \"commonjs\" }\n")

set(CONVLAB_NATIVE_TEST_DIR ${PROJECT_SOURCE_DIR}/tests/native)
add_library(convlab_wasm_doctest_main OBJECT EXCLUDE_FROM_ALL ${CONVLAB_NATIVE_TEST_DIR}/main.cpp)
target_include_directories(convlab_wasm_doctest_main SYSTEM PRIVATE ${CONVLAB_DOCTEST_INCLUDE})
target_compile_options(convlab_wasm_doctest_main PRIVATE -O2 -fwasm-exceptions)

file(GLOB CONVLAB_WASM_DOCTEST_SOURCES CONFIGURE_DEPENDS ${CONVLAB_NATIVE_TEST_DIR}/test_*.cpp)
foreach(test_source ${CONVLAB_WASM_DOCTEST_SOURCES})
  get_filename_component(test_name ${test_source} NAME_WE)
  set(target wasm_doctest_${test_name})
  add_executable(${target} EXCLUDE_FROM_ALL ${test_source} $<TARGET_OBJECTS:convlab_wasm_doctest_main>)
  target_link_libraries(${target} PRIVATE convlab_core)
  target_include_directories(${target} PRIVATE ${CONVLAB_NATIVE_TEST_DIR})
  target_include_directories(${target} SYSTEM PRIVATE ${CONVLAB_DOCTEST_INCLUDE})
  target_compile_definitions(${target} PRIVATE CONVLAB_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures")
  target_compile_options(${target} PRIVATE -O2)
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${test_name}
    SUFFIX ".js"
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/doctest)
  target_link_options(${target} PRIVATE
    -O2 -msimd128 -fwasm-exceptions
    -sENVIRONMENT=node -sNODERAWFS=1 -sSINGLE_FILE=1 -sEXIT_RUNTIME=1
    -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB)
  add_dependencies(convlab_wasm_doctests ${target})
endforeach()
