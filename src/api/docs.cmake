# naap_api_docs: the OpenAPI document (openapi.yaml, converted to JSON at build time), the Swagger UI
# page and assets bundled into the binary, the /docs routes (spec/api.md §4.8), and the OpenAPI
# reader, response validator and route-table drift check (openapi_schema.h).
# Swagger UI comes from web/swagger/node_modules (scripts/setup.sh runs `npm ci` there).
set(NAAP_SWAGGER_DIST ${PROJECT_SOURCE_DIR}/web/swagger/node_modules/swagger-ui-dist)
if(NOT EXISTS ${NAAP_SWAGGER_DIST}/swagger-ui-bundle.js)
  message(WARNING "Swagger UI files missing: run scripts/setup.sh (npm ci in web/swagger)")
endif()

set(NAAP_DOCS_GEN ${CMAKE_CURRENT_BINARY_DIR}/docs_gen)
set(NAAP_OPENAPI_YAML ${CMAKE_CURRENT_SOURCE_DIR}/openapi.yaml)
add_custom_command(
  OUTPUT ${NAAP_DOCS_GEN}/openapi.json
  COMMAND ${CMAKE_COMMAND} -E make_directory ${NAAP_DOCS_GEN}
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/scripts/embed_yaml_to_json.py
          ${NAAP_OPENAPI_YAML} ${NAAP_DOCS_GEN}/openapi.json
  DEPENDS ${NAAP_OPENAPI_YAML} ${PROJECT_SOURCE_DIR}/scripts/embed_yaml_to_json.py
  COMMENT "Converting openapi.yaml to openapi.json"
  VERBATIM)

# name=path pairs of every bundled file (docs_embedded.h).
set(NAAP_DOCS_FILES
  openapi.yaml=${NAAP_OPENAPI_YAML}
  openapi.json=${NAAP_DOCS_GEN}/openapi.json
  index.html=${PROJECT_SOURCE_DIR}/web/swagger/index.html
  swagger-init.js=${PROJECT_SOURCE_DIR}/web/swagger/swagger-init.js)
foreach(asset swagger-ui.css swagger-ui.css.map swagger-ui-bundle.js swagger-ui-bundle.js.map
        swagger-ui-standalone-preset.js swagger-ui-standalone-preset.js.map
        favicon-16x16.png favicon-32x32.png)
  list(APPEND NAAP_DOCS_FILES ${asset}=${NAAP_SWAGGER_DIST}/${asset})
endforeach()
set(NAAP_DOCS_DEPENDS)
foreach(entry ${NAAP_DOCS_FILES})
  string(REGEX REPLACE "^[^=]*=" "" path ${entry})
  list(APPEND NAAP_DOCS_DEPENDS ${path})
endforeach()
add_custom_command(
  OUTPUT ${NAAP_DOCS_GEN}/docs_embedded.cc
  COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/scripts/embed_files.py
          ${NAAP_DOCS_GEN}/docs_embedded.cc ${NAAP_DOCS_FILES}
  DEPENDS ${NAAP_DOCS_DEPENDS} ${PROJECT_SOURCE_DIR}/scripts/embed_files.py
  COMMENT "Embedding the OpenAPI document and Swagger UI files"
  VERBATIM)

add_library(naap_api_docs routes_docs.cc openapi_schema.cc ${NAAP_DOCS_GEN}/docs_embedded.cc)
target_link_libraries(naap_api_docs PUBLIC naap_api_core naap_base PRIVATE simdjson::simdjson)

naap_test(docs_test SOURCES docs_test.cc LIBS naap_api_docs naap_api_local naap_store
  simdjson::simdjson)
naap_test(openapi_drift_test SOURCES openapi_drift_test.cc LIBS naap_api)
