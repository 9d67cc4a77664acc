include(CMakePackageConfigHelpers)

install(TARGETS approov EXPORT approovTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(APPROOV_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/approov)
install(EXPORT approovTargets NAMESPACE approov:: DESTINATION ${APPROOV_CMAKE_DIR})
configure_package_config_file(cmake/approovConfig.cmake.in
  ${PROJECT_BINARY_DIR}/approovConfig.cmake INSTALL_DESTINATION ${APPROOV_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/approovConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/approovConfig.cmake ${PROJECT_BINARY_DIR}/approovConfigVersion.cmake
  DESTINATION ${APPROOV_CMAKE_DIR})

# pkg-config: the prefix is found relative to the .pc file, so that `cmake --install --prefix DIR`
# (and any relocated package) gives flags that point into DIR, not into the configured prefix.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(APPROOV_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH APPROOV_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" APPROOV_PC_UP "${APPROOV_PC_UP}")
  set(APPROOV_PC_PREFIX "\${pcfiledir}/${APPROOV_PC_UP}")
endif()

# pkg-config: a static build must also pull in libcrypto.
if(BUILD_SHARED_LIBS)
  set(APPROOV_PC_REQUIRES_PRIVATE "libcrypto >= 3")
  set(APPROOV_PC_REQUIRES "")
else()
  set(APPROOV_PC_REQUIRES_PRIVATE "")
  set(APPROOV_PC_REQUIRES "libcrypto >= 3")
endif()
configure_file(cmake/approov.pc.in ${PROJECT_BINARY_DIR}/approov.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/approov.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
