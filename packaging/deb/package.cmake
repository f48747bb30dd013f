# Install rules and the Debian package (CPack DEB): `cpack -G DEB` in the build directory,
# or `bash scripts/package.sh`. Paths follow Debian 12: units in /lib/systemd/system,
# snippets in /usr/lib/{sysusers,tmpfiles,sysctl}.d, the configuration a conffile.
include(GNUInstallDirs)
set(TRAILD_DEB_DIR ${PROJECT_SOURCE_DIR}/packaging/deb)

install(TARGETS traild DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS trailctl DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES config/traild.yaml DESTINATION /etc/traild)
install(FILES systemd/traild.service systemd/traild.socket DESTINATION /lib/systemd/system)
install(FILES systemd/traild.sysusers DESTINATION lib/sysusers.d RENAME traild.conf)
install(FILES systemd/traild.tmpfiles DESTINATION lib/tmpfiles.d RENAME traild.conf)
install(FILES packaging/sysctl.d/60-traild.conf DESTINATION lib/sysctl.d)
install(DIRECTORY packaging/logstash packaging/elasticsearch packaging/filebeat DESTINATION ${CMAKE_INSTALL_DATADIR}/traild)
file(GLOB TRAILD_DOCS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${TRAILD_DOCS} README.md ${TRAILD_DEB_DIR}/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/traild)

# Debian wants the changelog compressed with gzip -9n (reproducible: no name, no time).
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/changelog.gz
                   COMMAND gzip -9nc ${TRAILD_DEB_DIR}/changelog > ${PROJECT_BINARY_DIR}/changelog.gz
                   DEPENDS ${TRAILD_DEB_DIR}/changelog)
add_custom_target(deb_changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/changelog.gz)
install(FILES ${PROJECT_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/traild)

# Man pages, each generated from the Markdown that is also its documentation.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(TRAILD_MAN_PAGES
    "traild|8|audit-trail daemon: local sockets to tamper-evident JSON-lines files|docs/man/traild.md"
    "trailctl|1|send, import, query and verify traild's audit trail|docs/man/trailctl.md"
    "traild.yaml|5|traild's configuration file|docs/configuration.md")
set(TRAILD_MAN_OUTPUTS)
foreach(page IN LISTS TRAILD_MAN_PAGES)
  string(REPLACE "|" ";" fields "${page}")
  list(GET fields 0 name)
  list(GET fields 1 section)
  list(GET fields 2 summary)
  list(GET fields 3 source)
  set(roff ${PROJECT_BINARY_DIR}/man/${name}.${section})
  add_custom_command(OUTPUT ${roff}.gz
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
                     COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/md2man.py ${PROJECT_SOURCE_DIR}/${source}
                             ${roff} ${name} ${section} "${summary}" ${PROJECT_VERSION}
                     COMMAND gzip -9nf ${roff}
                     DEPENDS ${PROJECT_SOURCE_DIR}/${source} ${PROJECT_SOURCE_DIR}/scripts/md2man.py
                     VERBATIM)
  list(APPEND TRAILD_MAN_OUTPUTS ${roff}.gz)
  install(FILES ${roff}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(man_pages ALL DEPENDS ${TRAILD_MAN_OUTPUTS})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME traild)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)  # /etc and /lib/systemd are meant
set(CPACK_PACKAGE_CONTACT "traild maintainers <maintainers@traild.example.org>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "audit-trail daemon writing tamper-evident JSON-lines files")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "traild receives audit events from local programs over Unix-domain sockets
(its acknowledged NDJSON protocol and syslog-style emitters), validates them,
records what the kernel says about each sender, redacts secrets, normalises
them to the Elastic Common Schema and writes them durably as rotated,
hash-chained JSON-lines files for Logstash or Filebeat to ship. trailctl
sends, imports, queries, exports and verifies the trail.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${TRAILD_DEB_DIR}/conffiles;${TRAILD_DEB_DIR}/postinst;${TRAILD_DEB_DIR}/prerm;${TRAILD_DEB_DIR}/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
