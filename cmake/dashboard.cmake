# The dashboard (GET / on the ttm port): the page's files in web/dashboard/
# and uPlot, installed from web/package-lock.json with `npm ci` into the
# build tree (never into the sources), are compiled into one generated
# source of the protocols layer: generated/dashboard_files.cpp. Included by
# the top-level CMakeLists.txt (a custom command's output must be made in
# the directory of the target that compiles it).
find_program(SIGNALBOX_NPM npm REQUIRED)

set(npm_dir ${CMAKE_BINARY_DIR}/web)
set(uplot_dist ${npm_dir}/node_modules/uplot/dist)
# The working directory of the command below must exist before it runs.
file(MAKE_DIRECTORY ${npm_dir})
add_custom_command(
  OUTPUT ${uplot_dist}/uPlot.iife.min.js ${uplot_dist}/uPlot.min.css
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/web/package.json
          ${CMAKE_SOURCE_DIR}/web/package-lock.json ${npm_dir}
  COMMAND ${SIGNALBOX_NPM} ci --no-audit --no-fund --loglevel=error
  # npm keeps the files' dates from the tarball: touched, so that the
  # command is not rerun on every build.
  COMMAND ${CMAKE_COMMAND} -E touch ${uplot_dist}/uPlot.iife.min.js
          ${uplot_dist}/uPlot.min.css
  WORKING_DIRECTORY ${npm_dir}
  DEPENDS ${CMAKE_SOURCE_DIR}/web/package.json
          ${CMAKE_SOURCE_DIR}/web/package-lock.json
  COMMENT "Installing the dashboard's npm packages (uPlot) from web/package-lock.json"
  VERBATIM)

file(GLOB page_files CONFIGURE_DEPENDS
     ${CMAKE_SOURCE_DIR}/web/dashboard/*.html
     ${CMAKE_SOURCE_DIR}/web/dashboard/*.js
     ${CMAKE_SOURCE_DIR}/web/dashboard/*.css
     ${CMAKE_SOURCE_DIR}/web/dashboard/*.svg)
set(manifest "")
foreach(f ${page_files})
  get_filename_component(name ${f} NAME)
  string(APPEND manifest "${name}|${f}\n")
endforeach()
string(APPEND manifest "uplot.js|${uplot_dist}/uPlot.iife.min.js\n")
string(APPEND manifest "uplot.css|${uplot_dist}/uPlot.min.css\n")
set(manifest_file ${CMAKE_BINARY_DIR}/generated/dashboard_files.manifest)
# Rewritten only when the list changed (a new page file), so that an
# unchanged manifest does not re-run the embedding.
set(previous "")
if(EXISTS ${manifest_file})
  file(READ ${manifest_file} previous)
endif()
if(NOT previous STREQUAL manifest)
  file(WRITE ${manifest_file} "${manifest}")
endif()

set(SIGNALBOX_DASHBOARD_SOURCE ${CMAKE_BINARY_DIR}/generated/dashboard_files.cpp)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/generated/dashboard_files.cpp
  COMMAND ${CMAKE_COMMAND} -DMANIFEST=${manifest_file}
          -DOUTPUT=${CMAKE_BINARY_DIR}/generated/dashboard_files.cpp
          -P ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
  DEPENDS ${page_files} ${uplot_dist}/uPlot.iife.min.js
          ${uplot_dist}/uPlot.min.css ${manifest_file}
          ${CMAKE_SOURCE_DIR}/cmake/embed_files.cmake
  COMMENT "Embedding the dashboard's files"
  VERBATIM)
